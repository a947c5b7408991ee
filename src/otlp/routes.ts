import { setImmediate } from "node:timers/promises";
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { KeyVerifier } from "../auth/keys";
import { requireScope } from "../auth/middleware";
import type { AppEnv } from "../http/context";
import { problemResponses } from "../http/openapi";
import { type IngestDeps, ingestPrompts } from "../ingest/service";
import { AppError } from "../platform/errors";
import { MAX_BODY_BYTES, readExport } from "./body";
import { otlpSpansCounter } from "./metrics";
import { partialMessage, planSpans } from "./plan";
import { encodeProtobufResponse } from "./protobuf";
import { exportTraceRequestDoc, exportTraceResponseSchema } from "./schema";
import { spansOf } from "./spans";

/** Spans in one export: the SDKs' batch processors send at most 512 by default. */
export const MAX_SPANS = 10_000;

const binary = z.string().openapi({ type: "string", format: "binary" });

const route = createRoute({
  method: "post",
  path: "/v1/traces",
  tags: ["ingest"],
  operationId: "exportTraces",
  summary: "OTLP/HTTP trace export: each LLM span becomes one prompt item",
  description: `An OpenTelemetry exporter's (or OpenRouter Broadcast's) trace export, protobuf or JSON, gzip or not, at most ${MAX_BODY_BYTES / 1024 / 1024} MB on the wire and ${MAX_SPANS} spans. Each span that is an LLM call under the OpenTelemetry GenAI semantic conventions (a \`gen_ai.request.model\` or \`gen_ai.response.model\`) becomes one item of POST /v1/prompts: sampled, redacted, cut and queued the same way. Other spans are ignored and counted. The answer is an ExportTraceServiceResponse in the request's encoding.`,
  security: [{ bearer: [] }],
  request: {
    body: {
      required: true,
      content: {
        "application/x-protobuf": {
          schema: binary.openapi({
            description: "opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest",
          }),
        },
        "application/json": { schema: exportTraceRequestDoc },
      },
    },
  },
  responses: {
    200: {
      description: "Exported; `partialSuccess` says what was rejected or ignored",
      content: {
        "application/x-protobuf": {
          schema: binary.openapi({ description: "ExportTraceServiceResponse, for a protobuf request" }),
        },
        "application/json": { schema: exportTraceResponseSchema },
      },
    },
    ...problemResponses(400, 401, 403, 413, 415, 503),
  },
});

export function otlpRoutes(deps: IngestDeps & { verifyKey: KeyVerifier }) {
  const app = new OpenAPIHono<AppEnv>();
  const counted = otlpSpansCounter(deps.metrics.registry);
  app.openAPIRegistry.registerPath(route);
  app.post(route.path, requireScope(deps.verifyKey, "ingest"), async (c) => {
    const { encoding, request } = await readExport(c.req.raw);
    await setImmediate(); // a turn for the event loop between decoding and reading the spans
    const spans = spansOf(request);
    if (spans.length > MAX_SPANS) {
      throw new AppError(
        "PAYLOAD_TOO_LARGE",
        `The export holds more than ${MAX_SPANS} spans; send smaller batches.`,
      );
    }
    const plan = planSpans(spans);
    const result =
      plan.items.length > 0
        ? await ingestPrompts(plan.items, deps, { source: "live" })
        : { accepted: 0, sampled: 0, skipped: 0, duplicates: 0 };
    // counted once ingest took the items: a 503 is resent by the exporter and would count twice
    counted.inc({ result: "item" }, plan.items.length);
    counted.inc({ result: "ignored" }, plan.ignored);
    counted.inc({ result: "nested" }, plan.nested);
    counted.inc({ result: "rejected" }, plan.rejected.length);
    c.set("logFields", {
      spans: spans.length,
      ignored: plan.ignored,
      nested: plan.nested,
      rejected: plan.rejected.length,
      ...result,
    });
    const message = partialMessage(plan);
    const partial = message ? { rejectedSpans: plan.rejected.length, errorMessage: message } : undefined;
    if (encoding === "protobuf") {
      return c.body(encodeProtobufResponse(partial), 200, { "content-type": "application/x-protobuf" });
    }
    return c.json(
      partial
        ? { partialSuccess: { rejectedSpans: String(partial.rejectedSpans), errorMessage: message } }
        : {},
      200,
    );
  });
  return app;
}
