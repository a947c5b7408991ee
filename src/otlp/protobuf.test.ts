import { describe, expect, it } from "vitest";
// @ts-expect-error: a plain .mjs script without types
import { otlpDescriptor } from "../../scripts/otlp-descriptor.mjs";
import descriptor from "./proto/descriptor.json" with { type: "json" };
import {
  decodeProtobufRequest,
  decodeProtobufResponse,
  encodeProtobufRequest,
  encodeProtobufResponse,
} from "./protobuf";

describe("the OTLP protobuf codec", () => {
  it("is built from the vendored .proto files as they are (regenerate: node scripts/otlp-descriptor.mjs)", () => {
    expect(descriptor).toEqual(otlpDescriptor());
  });

  it("decodes a request into OTLP/JSON's shape: hex ids, int64 as strings, other bytes dropped", () => {
    const request = {
      resourceSpans: [
        {
          resource: { attributes: [{ key: "service.name", value: { stringValue: "svc" } }] },
          scopeSpans: [
            {
              spans: [
                {
                  traceId: "0af7651916cd43dd8448eb211c80319c",
                  spanId: "b7ad6b7169203331",
                  parentSpanId: "00f067aa0ba902b7",
                  name: "chat gpt-4o",
                  kind: 3,
                  startTimeUnixNano: "1705312800000000001",
                  attributes: [
                    { key: "gen_ai.usage.input_tokens", value: { intValue: "100" } },
                    { key: "raw", value: { bytesValue: Buffer.from("x") } },
                  ],
                  events: [
                    {
                      name: "gen_ai.user.message",
                      attributes: [{ key: "content", value: { stringValue: "hi" } }],
                    },
                  ],
                },
              ],
            },
          ],
        },
      ],
    };
    const decoded = decodeProtobufRequest(encodeProtobufRequest(request)) as typeof request;
    const span = decoded.resourceSpans[0]?.scopeSpans[0]?.spans[0];
    expect(span).toMatchObject({
      traceId: "0af7651916cd43dd8448eb211c80319c",
      spanId: "b7ad6b7169203331",
      parentSpanId: "00f067aa0ba902b7",
      kind: 3,
      startTimeUnixNano: "1705312800000000001",
      events: [
        { name: "gen_ai.user.message", attributes: [{ key: "content", value: { stringValue: "hi" } }] },
      ],
    });
    expect(span?.attributes).toEqual([
      { key: "gen_ai.usage.input_tokens", value: { intValue: "100" } },
      { key: "raw", value: { bytesValue: undefined } },
    ]);
  });

  it("reads an empty body as an empty export, and refuses bytes that are not one", () => {
    expect(decodeProtobufRequest(new Uint8Array(0))).toEqual({});
    expect(() => decodeProtobufRequest(new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0x0f]))).toThrow();
  });

  it("encodes the answer an exporter reads: empty, or partial success", () => {
    expect(encodeProtobufResponse()).toHaveLength(0);
    expect(decodeProtobufResponse(encodeProtobufResponse({ rejectedSpans: 2, errorMessage: "why" }))).toEqual(
      {
        partialSuccess: { rejectedSpans: 2, errorMessage: "why" },
      },
    );
  });
});
