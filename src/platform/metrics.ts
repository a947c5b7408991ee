import { Counter, collectDefaultMetrics, Histogram, Registry } from "prom-client";

// Aggregate counters only. Labels are closed sets (outcome, category, kind): never an id or text.
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    ingestItems: new Counter({
      name: "census_ingest_items_total",
      help: "Prompt items received, by result (sampled, skipped, duplicate)",
      labelNames: ["result", "source"] as const,
      registers: [registry],
    }),
    httpProblems: new Counter({
      name: "census_http_problems_total",
      help: "Problem responses by code (4xx are the client's; CLIENT_CLOSED_REQUEST is a client that went away, not an outage)",
      labelNames: ["code", "status"] as const,
      registers: [registry],
    }),
    events: new Counter({
      name: "census_events_total",
      help: "Events written to Postgres, by outcome and category",
      labelNames: ["outcome", "category"] as const,
      registers: [registry],
    }),
    classifierErrors: new Counter({
      name: "census_classifier_errors_total",
      help: "Classifier errors by kind (quota, unavailable, auth, too_short, ...)",
      labelNames: ["kind"] as const,
      registers: [registry],
    }),
    unknownPaths: new Counter({
      name: "census_unknown_category_paths_total",
      help: "Labels whose Google path is not in the configured category list (mapped to others)",
      registers: [registry],
    }),
    jobsFailed: new Counter({
      name: "census_jobs_failed_total",
      help: "Jobs that failed for good, by reason: data_rejected and job_invalid are dropped (text removed); attempts_exhausted and stalled are kept for `census queue retry`",
      labelNames: ["reason"] as const,
      registers: [registry],
    }),
    classifyLatency: new Histogram({
      name: "census_classify_seconds",
      help: "Latency of one classifyText call",
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10],
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
