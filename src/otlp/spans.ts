import type { AnyValue, ExportTraceRequest, KeyValue } from "./schema";

/** An attribute's value as plain JS: strings, numbers, booleans, arrays and objects of them. */
export type Value = string | number | boolean | null | Value[] | { [key: string]: Value };

export interface Span {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  /** Nanoseconds since the epoch, as the decimal string OTLP carries ("" when absent). */
  startTimeUnixNano: string;
  attributes: Map<string, Value>;
  events: { name: string; attributes: Map<string, Value> }[];
}

/** Pure: an OTLP AnyValue as plain JS (bytes and empty values become null). */
export function plainValue(v: AnyValue | undefined): Value {
  if (!v) return null;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return Number(v.doubleValue);
  if (v.arrayValue) return (v.arrayValue.values ?? []).map(plainValue);
  if (v.kvlistValue) return Object.fromEntries(attributesOf(v.kvlistValue.values));
  return null;
}

export function attributesOf(list: KeyValue[] | undefined): Map<string, Value> {
  return new Map((list ?? []).map((kv) => [kv.key, plainValue(kv.value)]));
}

/** Pure: every span of an export, in order, with attributes as maps. */
export function spansOf(request: ExportTraceRequest): Span[] {
  const out: Span[] = [];
  for (const rs of request.resourceSpans ?? []) {
    for (const ss of rs.scopeSpans ?? []) {
      for (const s of ss.spans ?? []) {
        out.push({
          traceId: (s.traceId ?? "").toLowerCase(),
          spanId: (s.spanId ?? "").toLowerCase(),
          parentSpanId: (s.parentSpanId ?? "").toLowerCase(),
          startTimeUnixNano: s.startTimeUnixNano === undefined ? "" : String(s.startTimeUnixNano),
          attributes: attributesOf(s.attributes),
          events: (s.events ?? []).map((e) => ({
            name: e.name ?? "",
            attributes: attributesOf(e.attributes),
          })),
        });
      }
    }
  }
  return out;
}
