import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

// Aggregate counters only. Labels are closed sets (outcome, kind, reason): never an id or text.
//
// A scrape sees counters move event by event, below any privacy floor: split by category and by
// redaction kind, two scrapes told a metrics key holder that 2 hidden `health` events held an
// IBAN and a phone number. So by default no series is split by what an event is about (category)
// or what it held (redaction kind); METRICS_FINE_LABELS=1 turns those labels on, for an operator
// who accepts that /metrics then says more than the stats answers do.
export interface MetricsOptions {
  fineLabels?: boolean;
  /** Where items come from (the vocabulary's sources): their ingest series exist from the start. */
  ingestSources?: readonly string[];
}

/**
 * Items received by result and source, every series from the start (ingest adds only counts above
 * zero): a rate over a series that does not exist yet is no data, not 0.
 */
function ingestCounter(registry: Registry, sources: readonly string[]) {
  const counter = new Counter({
    name: "census_ingest_items_total",
    help: "Prompt items received, by result (sampled, skipped, duplicate, rejected)",
    labelNames: ["result", "source"] as const,
    registers: [registry],
  });
  for (const result of ["sampled", "skipped", "duplicate", "rejected"])
    for (const source of sources) counter.inc({ result, source }, 0);
  return counter;
}

export function createMetrics({ fineLabels = false, ingestSources = [] }: MetricsOptions = {}) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const redactions = new Counter<"kind">({
    name: "census_redactions_total",
    help: `Personal data and secrets replaced before Google, in sampled items${fineLabels ? ", by kind (key, email, iban, card, ip, phone)" : " (METRICS_FINE_LABELS=1 splits it by kind)"}`,
    labelNames: fineLabels ? ["kind"] : [],
    registers: [registry],
  });
  const events = new Counter<"outcome" | "category">({
    name: "census_events_total",
    help: `Events written to Postgres, by outcome${fineLabels ? " and category" : " (METRICS_FINE_LABELS=1 splits it by category)"}`,
    labelNames: fineLabels ? ["outcome", "category"] : ["outcome"],
    registers: [registry],
  });
  const ingestItems = ingestCounter(registry, ingestSources);
  return {
    registry,
    redactions,
    events,
    /** Counts what redaction replaced in one sampled item. */
    countRedactions(found: Partial<Record<string, number>>) {
      for (const [kind, n = 0] of Object.entries(found)) {
        if (fineLabels) redactions.inc({ kind }, n);
        else redactions.inc(n);
      }
    },
    countEvent(outcome: string, category: string) {
      events.inc(fineLabels ? { outcome, category } : { outcome });
    },
    ingestItems,
    httpProblems: new Counter({
      name: "census_http_problems_total",
      help: "Problem responses by code (4xx are the client's; CLIENT_CLOSED_REQUEST is a client that went away, not an outage)",
      labelNames: ["route", "code", "status"] as const,
      registers: [registry],
    }),
    httpConnectionsShed: new Counter({
      name: "census_http_connections_shed_total",
      help: "Connections closed at HTTP_MAX_CONNECTIONS: idle_evicted (the longest-idle one, to make room for a new one) or refused (every open one was serving a request)",
      labelNames: ["reason"] as const,
      registers: [registry],
    }),
    googleCalls: new Counter({
      name: "census_google_calls_total",
      help: "classifyText calls by engine and result: ok, or the failure kind (quota, unreachable, unavailable, too_short, unsupported_language, invalid, auth, unknown)",
      labelNames: ["engine", "result"] as const,
      registers: [registry],
    }),
    googleCallsAvoided: new Counter({
      name: "census_google_calls_avoided_total",
      help: "Google calls not made, by engine and reason: cache (the same text was answered before) or too_short (under MIN_WORDS)",
      labelNames: ["engine", "reason"] as const,
      registers: [registry],
    }),
    googleUnits: new Counter({
      name: "census_google_units_total",
      help: "Billable classifyText units by engine: one per started 1,000 characters of each answered call",
      labelNames: ["engine"] as const,
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
    redisDataLost: new Counter({
      name: "census_redis_data_lost_total",
      help: "Times this process found Redis without the marker the service keeps in it: Redis lost its data (a restart without AOF, a flush, eviction) and the jobs it held",
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

/**
 * Queue depth by state as a gauge read at each scrape. A scrape while Redis is down keeps the
 * last values rather than failing the whole /metrics answer.
 */
export function trackQueueDepth(
  metrics: Metrics,
  counts: () => Promise<Record<string, number>>,
): Gauge<"state"> {
  return new Gauge({
    name: "census_queue_jobs",
    help: "Jobs in the classify queue by state (waiting, prioritized, active, delayed, paused, failed)",
    labelNames: ["state"] as const,
    registers: [metrics.registry],
    async collect() {
      try {
        for (const [state, n] of Object.entries(await counts())) this.set({ state }, n);
      } catch {
        // Redis is unreachable: /readyz says so; the gauge keeps its last reading
      }
    },
  });
}

/**
 * Accepted jobs removed from the queue without becoming events, by reason (purged, dropped),
 * counted in Redis by whichever process removed them and read at each scrape.
 */
export function trackRemovals(metrics: Metrics, counts: () => Promise<Record<string, number>>) {
  return new Counter({
    name: "census_jobs_removed_total",
    help: "Accepted jobs removed from the queue without becoming events: purged (census queue purge) or dropped (can never succeed). The queue UI removes none.",
    labelNames: ["reason"] as const,
    registers: [metrics.registry],
    async collect() {
      try {
        const read = await counts();
        this.reset();
        for (const [reason, n] of Object.entries(read)) this.inc({ reason }, n);
      } catch {
        // Redis is unreachable: /readyz says so; the counter keeps its last reading
      }
    },
  });
}

/**
 * How far the privacy floor's release units lag the events written (stats/refresh.ts), read from
 * Postgres at each scrape: the age of the oldest partition marked stale, and how many are. One
 * query per scrape: the two gauges' collects share it.
 */
export function trackRefreshLag(
  metrics: Metrics,
  lag: () => Promise<{ partitions: number; seconds: number }>,
): void {
  let reading: Promise<{ partitions: number; seconds: number }> | undefined;
  const read = () => {
    reading ??= lag().finally(() => {
      reading = undefined;
    });
    return reading;
  };
  const gauge = (name: string, help: string, pick: (r: { partitions: number; seconds: number }) => number) =>
    new Gauge({
      name,
      help,
      registers: [metrics.registry],
      async collect() {
        try {
          this.set(pick(await read()));
        } catch {
          // Postgres is unreachable: /readyz says so; the gauge keeps its last reading
        }
      },
    });
  gauge(
    "census_release_refresh_lag_seconds",
    "Age of the oldest write whose release units are not refreshed yet: how stale a stats answer can be now (0: none)",
    (r) => r.seconds,
  );
  gauge(
    "census_release_dirty_partitions",
    "Partitions (engine, day, outcome, category) written since their release units were last refreshed",
    (r) => r.partitions,
  );
}
