import { type Job, RateLimitError, UnrecoverableError } from "bullmq";
import type pg from "pg";
import type { PromptEventRow } from "../db/schema";
import { storeEvent } from "../events/store";
import type { Logger } from "../platform/logger";
import type { Metrics } from "../platform/metrics";
import type { Taxonomy } from "../taxonomy/mapping";
import { backoffDelay } from "./backoff";
import { type Classification, type Classifier, ClassifierError, finalOutcomeKinds } from "./classifier";
import { classifyGoogleError } from "./google-errors";
import { type ClassifyPayload, classifyPayloadSchema } from "./jobs";
import { requestCategory, tagLabels } from "./labels";

export interface ProcessorDeps {
  pool: pg.Pool;
  classifier: Classifier;
  taxonomy: Taxonomy;
  threshold: number;
  metrics: Metrics;
  log: Logger;
  retryBaseMs: number;
  retryMaxMs: number;
  /** Holds the whole queue back (all workers) for `ms`: quota is a property of the project, not the job. */
  rateLimit(ms: number): Promise<void>;
  /** Google refused our credentials: stop taking jobs instead of burning the queue. */
  onAuthFailure(reason: string): void;
}

export type Outcome = PromptEventRow["outcome"];

/** Creates the processor; it keeps the consecutive-quota streak that drives the queue-wide backoff. */
export function createProcessor(deps: ProcessorDeps) {
  let quotaStreak = 0;

  return async function processClassifyJob(
    job: Job<ClassifyPayload>,
  ): Promise<{ outcome: Outcome; category: string }> {
    const parsed = classifyPayloadSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError("job payload does not match the classify schema");
    const data = parsed.data;

    let outcome: Outcome = "classified";
    let result: Classification = { labels: [], language: null };
    const stopTimer = deps.metrics.classifyLatency.startTimer();
    try {
      result = await deps.classifier.classify(data.text);
      quotaStreak = 0;
    } catch (err) {
      const kind = err instanceof ClassifierError ? err.kind : classifyGoogleError(err);
      deps.metrics.classifierErrors.inc({ kind: kind ?? "unknown" });
      if (kind && finalOutcomeKinds.has(kind)) {
        outcome = kind as Outcome;
      } else if (kind === "quota") {
        // Returned to the queue without using an attempt: quota errors can last, and must lose nothing.
        quotaStreak += 1;
        const delay = backoffDelay(quotaStreak, deps.retryBaseMs, Math.max(deps.retryMaxMs, 60_000));
        deps.log.warn({ delayMs: delay, streak: quotaStreak }, "google quota exhausted; holding the queue");
        await deps.rateLimit(delay);
        throw new RateLimitError();
      } else if (kind === "auth") {
        deps.onAuthFailure(err instanceof Error ? err.message : "auth");
        await deps.rateLimit(60_000);
        throw new RateLimitError();
      } else {
        throw err instanceof Error ? err : new Error("classifier failed"); // transient: retried with backoff
      }
    } finally {
      stopTimer();
    }

    const tagged = tagLabels(deps.taxonomy, result.labels, deps.threshold);
    const unknown = tagged.filter((l) => !l.known);
    if (unknown.length > 0) {
      deps.metrics.unknownPaths.inc(unknown.length);
      // Google's paths are public taxonomy names, safe to log; they tell us the list needs updating.
      deps.log.warn(
        { paths: unknown.map((l) => l.path) },
        "google returned category paths missing from config",
      );
    }
    const category = requestCategory(tagged);
    const inserted = await storeEvent(
      deps.pool,
      {
        id: String(job.id),
        observedHour: new Date(data.observedHour),
        model: data.model,
        promptTokens: data.promptTokens,
        completionTokens: data.completionTokens,
        costUsd: data.costUsd === null ? null : String(data.costUsd),
        sampleRate: data.sampleRate,
        source: data.source,
        language: result.language,
        engine: deps.classifier.engine,
        outcome,
        category,
        mappingVersion: deps.taxonomy.version,
        charCount: data.chars,
      },
      tagged,
    );
    if (inserted) deps.metrics.events.inc({ outcome, category });
    return { outcome, category };
  };
}
