import { z } from "@hono/zod-openapi";

// OTLP/JSON's ExportTraceServiceRequest (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding),
// and the protobuf one once decoded into the same shape (./protobuf.ts). Only what the GenAI reader
// uses is checked; everything else an exporter sends is let through and ignored. Lenient where
// exporters differ: 64-bit integers as strings or numbers, enums as numbers.

const int64 = z.union([z.string().regex(/^-?\d{1,20}$/), z.number().int()]);

export type AnyValue = {
  stringValue?: string | undefined;
  boolValue?: boolean | undefined;
  intValue?: string | number | undefined;
  doubleValue?: number | string | undefined;
  arrayValue?: { values?: AnyValue[] | undefined } | undefined;
  kvlistValue?: { values?: KeyValue[] | undefined } | undefined;
};
export type KeyValue = { key: string; value?: AnyValue | undefined };

const anyValue: z.ZodType<AnyValue> = z.lazy(() =>
  z
    .object({
      stringValue: z.string().optional(),
      boolValue: z.boolean().optional(),
      intValue: int64.optional(),
      doubleValue: z.union([z.number(), z.string()]).optional(),
      arrayValue: z.object({ values: z.array(anyValue).optional() }).optional(),
      kvlistValue: z.object({ values: z.array(keyValue).optional() }).optional(),
    })
    .loose(),
);
const keyValue: z.ZodType<KeyValue> = z.lazy(() => z.object({ key: z.string(), value: anyValue.optional() }));

const attributes = z.array(keyValue).optional();
const hexId = z.string().regex(/^[0-9a-fA-F]*$/, "must be hex");

export const otlpSpanSchema = z
  .object({
    traceId: hexId.optional(),
    spanId: hexId.optional(),
    parentSpanId: hexId.optional(),
    name: z.string().optional(),
    kind: z.number().int().optional(),
    startTimeUnixNano: int64.optional(),
    attributes,
    events: z.array(z.object({ name: z.string().optional(), attributes }).loose()).optional(),
  })
  .loose();

export const exportTraceRequestSchema = z
  .object({
    resourceSpans: z
      .array(
        z
          .object({
            scopeSpans: z.array(z.object({ spans: z.array(otlpSpanSchema).optional() }).loose()).optional(),
          })
          .loose(),
      )
      .optional(),
  })
  .loose();

/**
 * The request as the OpenAPI document shows it. Not the schema above: its attribute values are
 * recursive (z.lazy), which the OpenAPI generator cannot walk.
 */
export const exportTraceRequestDoc = z
  .object({
    resourceSpans: z.array(
      z.object({
        resource: z.object({
          attributes: z.array(z.object({ key: z.string(), value: z.object({}).loose() })),
        }),
        scopeSpans: z.array(z.object({ spans: z.array(z.object({}).loose()) })),
      }),
    ),
  })
  .partial()
  .openapi("ExportTraceServiceRequest", {
    description:
      "OTLP/JSON ExportTraceServiceRequest (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding); the same message in protobuf with `Content-Type: application/x-protobuf`.",
  });

export const exportTraceResponseSchema = z
  .object({
    partialSuccess: z
      .object({
        rejectedSpans: z.string().openapi({ description: "int64, as protobuf's JSON mapping writes it" }),
        errorMessage: z.string(),
      })
      .optional()
      .openapi({
        description:
          "Present when spans were rejected (an LLM span whose data fails the item limits) or ignored (not an LLM call); `rejectedSpans` is 0 when spans were only ignored.",
      }),
  })
  .openapi("ExportTraceServiceResponse");

export type OtlpSpan = z.infer<typeof otlpSpanSchema>;
export type ExportTraceRequest = z.infer<typeof exportTraceRequestSchema>;
