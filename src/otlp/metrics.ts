import { Counter, type Registry } from "prom-client";

const NAME = "census_otlp_spans_total";

/**
 * Spans received on POST /v1/traces by result, on the service's registry. Kept here rather than
 * in platform/metrics.ts; found again when a second app is built on the same registry.
 */
export function otlpSpansCounter(registry: Registry): Counter<"result"> {
  const existing = registry.getSingleMetric(NAME);
  if (existing) return existing as Counter<"result">;
  return new Counter({
    name: NAME,
    help: "Spans received on POST /v1/traces, by result: item (an LLM call, handed to ingest), ignored (not an LLM call), nested (an LLM span inside another), rejected (fails the item limits)",
    labelNames: ["result"] as const,
    registers: [registry],
  });
}
