import protobuf from "protobufjs/light.js";
import descriptor from "./proto/descriptor.json" with { type: "json" };

// OTLP/HTTP protobuf bodies, decoded with protobufjs (already in the tree through Google's client,
// so no new package) from the official .proto files vendored in ./proto (see
// scripts/otlp-descriptor.mjs). The light build: the descriptor is JSON, no .proto parser at run time.

const root = protobuf.Root.fromJSON(descriptor as protobuf.INamespace);
const Request = root.lookupType("opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest");
const Response = root.lookupType("opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse");

/** Raw bytes as the lowercase hex OTLP/JSON uses for trace and span ids. */
const hex = (bytes: unknown) => (bytes instanceof Uint8Array ? Buffer.from(bytes).toString("hex") : "");

/** Ids are the only bytes fields a span carries that we read; any other (bytesValue) is dropped. */
const ID_FIELDS = new Set(["traceId", "spanId", "parentSpanId"]);

/** Rewrites what protobufjs gives for bytes into OTLP/JSON's forms: ids as hex, other bytes dropped. */
function asOtlpJson(value: unknown, key = ""): unknown {
  if (value instanceof Uint8Array) return ID_FIELDS.has(key) ? hex(value) : undefined;
  if (Array.isArray(value)) return value.map((v) => asOtlpJson(v));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asOtlpJson(v, k)]));
  }
  return value;
}

/**
 * A protobuf ExportTraceServiceRequest as the object OTLP/JSON would have carried (camelCase
 * fields, 64-bit integers as decimal strings, enums as numbers, ids as hex), so one schema and one
 * reader serve both encodings. Throws on bytes that are not such a message.
 */
export function decodeProtobufRequest(bytes: Uint8Array): unknown {
  const message = Request.decode(bytes);
  return asOtlpJson(Request.toObject(message, { longs: String, enums: Number, defaults: false }));
}

/** ExportTraceServiceResponse in protobuf: empty, or with partial_success. */
export function encodeProtobufResponse(partial?: {
  rejectedSpans: number;
  errorMessage: string;
}): Uint8Array<ArrayBuffer> {
  const message = Response.fromObject(partial ? { partialSuccess: partial } : {});
  return new Uint8Array(Response.encode(message).finish());
}

/** For tests: a JSON-shaped request encoded as protobuf (ids given as hex). */
export function encodeProtobufRequest(request: unknown): Uint8Array {
  const fromHex = (value: unknown, key = ""): unknown => {
    if (typeof value === "string" && ID_FIELDS.has(key)) return Buffer.from(value, "hex");
    if (Array.isArray(value)) return value.map((v) => fromHex(v));
    if (typeof value === "object" && value !== null) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fromHex(v, k)]));
    }
    return value;
  };
  return Request.encode(Request.fromObject(fromHex(request) as Record<string, unknown>)).finish();
}

/** For tests: what an exporter reads back from a protobuf answer. */
export function decodeProtobufResponse(bytes: Uint8Array): unknown {
  return Response.toObject(Response.decode(bytes), { longs: Number, defaults: false });
}
