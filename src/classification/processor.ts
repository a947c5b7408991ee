import { type Job, RateLimitError } from "bullmq";
import type pg from "pg";
import { AppError, isConnectionLost, isDataError } from "../platform/errors";
import type { Logger } from "../platform/logger";
import type { Metrics } from "../platform/metrics";
import { type Answer, type ClassifyJobData, classifyJobSchema } from "../queue/jobs";
import type { Sealer } from "../queue/sealed";
import type { Taxonomy } from "../taxonomy/mapping";
import type { Outcome } from "../vocabulary";
import { createAnswers } from "./answers";
import type { CacheStore } from "./cache";
import { type Classifier, finalOutcomeKinds } from "./classifier";
import { billableUnits } from "./google-billing";
import { classifyGoogleError, refusedLanguage } from "./google-errors";
import { createHold, type Hold } from "./hold";
import { decisionRuleOf, requestCategory, type TaggedLabel, tagLabels } from "./labels";
import { type EventRow, eventRow, storeEvent } from "./store-event";

export interface ProcessorDeps {
  pool: pg.Pool;
  classifier: Classifier;
  taxonomy: Taxonomy;
  threshold: number;
  metrics: Metrics;
  log: Logger;
  retryBaseMs: number;
  retryMaxMs: number;
  /**
   * Holds the whole queue back (all workers) for `ms`: quota and the database are shared, not per
   * job. Throws AppError REDIS_UNAVAILABLE when Redis, where the hold lives, is gone.
   */
  rateLimit(ms: number): Promise<void>;
  /** Waits for one of GOOGLE_QPM's call slots, shared by all workers (google-rate.ts); REDIS_UNAVAILABLE as above. */
  acquireCall(): Promise<void>;
  /** Google refused our credentials: stop taking jobs instead of burning the queue. */
  onAuthFailure(reason: string): void;
  /** The classification cache; absent when CLASSIFY_CACHE_TTL is 0. */
  cache?: CacheStore | undefined;
  /** Keys the cache (HMAC_SECRET). */
  secret: string;
  /** Opens the job's sealed text. */
  sealer: Sealer;
  /** Fewer words than this are too_short without a call (0: off). */
  minWords: number;
  /**
   * Writes a job's event, resolving once committed (true: inserted). The worker's batches many
   * jobs' events per statement (event-writer.ts); absent: one statement per event.
   */
  writeEvent?: ((event: EventRow, labels: readonly TaggedLabel[]) => Promise<boolean>) | undefined;
}

const isRedisLost = (err: unknown) => err instanceof AppError && err.code === "REDIS_UNAVAILABLE";

/**
 * Creates the processor. It keeps three queue-wide holds, for Google's quota, Google not
 * answering at all, and Postgres being down: each hands the job back without using an attempt
 * (BullMQ's RateLimitError), so no quota storm or outage of any length loses work or burns
 * JOB_ATTEMPTS. Redis being down hands the job back too; its wait is per job, not queue-wide,
 * since the queue-wide hold lives in Redis.
 */
export function createProcessor(
  deps: ProcessorDeps,
  sleep = (ms: number) => new Promise((r) => setTimeout(r, ms)),
) {
  const quota = createHold({ baseMs: deps.retryBaseMs, maxMs: Math.max(deps.retryMaxMs, 60_000) });
  const database = createHold({ baseMs: deps.retryBaseMs, maxMs: deps.retryMaxMs });
  const google = createHold({ baseMs: deps.retryBaseMs, maxMs: deps.retryMaxMs });
  const redis = createHold({ baseMs: deps.retryBaseMs, maxMs: deps.retryMaxMs });

  /**
   * Redis is gone: the job goes back to the queue once it is (BullMQ's connection waits for it)
   * without using an attempt. One line per burst; each job waits the burst's backoff first, so a
   * worker whose own connection is back before this one does not spin on the same jobs.
   */
  async function waitForRedis(startedAt: number): Promise<never> {
    const delay = redis.failed(startedAt);
    if (delay > 0) {
      deps.log.warn(
        { delayMs: delay, streak: redis.streak },
        "redis unavailable: jobs go back to the queue when it returns, no attempt used",
      );
    }
    await sleep(Math.max(delay, deps.retryBaseMs));
    throw new RateLimitError();
  }

  /** Sets a queue-wide hold; without Redis there is no queue to hold, so wait for Redis instead. */
  async function setHold(ms: number, startedAt: number): Promise<void> {
    try {
      await deps.rateLimit(ms);
    } catch (err) {
      if (isRedisLost(err)) return waitForRedis(startedAt);
      throw err;
    }
  }

  async function holdQueue(hold: Hold, startedAt: number, what: string): Promise<never> {
    const delay = hold.failed(startedAt);
    if (delay > 0) {
      deps.log.warn({ delayMs: delay, streak: hold.streak }, `${what}: holding the queue`);
      await setHold(delay, startedAt);
    }
    throw new RateLimitError();
  }

  async function callGoogle(text: string, chars: number): Promise<Omit<Answer, "source">> {
    const engine = deps.classifier.engine;
    const waitedAt = Date.now();
    await deps.acquireCall();
    redis.succeeded(waitedAt);
    const startedAt = Date.now();
    const stopTimer = deps.metrics.classifyLatency.startTimer();
    try {
      const result = await deps.classifier.classify(text);
      quota.succeeded(startedAt);
      google.succeeded(startedAt);
      deps.metrics.googleCalls.inc({ engine, result: "ok" });
      deps.metrics.googleUnits.inc({ engine }, billableUnits(chars));
      return {
        engine,
        outcome: "classified",
        labels: result.labels,
        language: result.language,
        calledAt: startedAt,
      };
    } catch (err) {
      const kind = classifyGoogleError(err);
      deps.metrics.googleCalls.inc({ engine, result: kind ?? "unknown" });
      if (kind && finalOutcomeKinds.has(kind)) {
        // a refusal for the language keeps the language Google named: coverage by language
        const language = kind === "unsupported_language" ? refusedLanguage(err) : null;
        return { engine, outcome: kind as Outcome, labels: [], language, calledAt: startedAt };
      }
      if (kind === "quota") return holdQueue(quota, startedAt, "google quota exhausted");
      if (kind === "unreachable") return holdQueue(google, startedAt, "google unreachable");
      if (kind === "auth") {
        deps.onAuthFailure(err instanceof Error ? err.message : "auth");
        await setHold(60_000, startedAt);
        throw new RateLimitError();
      }
      throw err instanceof Error ? err : new Error("classifier failed"); // transient: retried with backoff
    } finally {
      stopTimer();
    }
  }

  const writeEvent =
    deps.writeEvent ??
    ((row: EventRow, labels: readonly TaggedLabel[]) => storeEvent(deps.pool, row, labels));
  const answers = createAnswers({
    engine: deps.classifier.engine,
    callGoogle,
    cache: deps.cache,
    secret: deps.secret,
    minWords: deps.minWords,
    metrics: deps.metrics,
  });

  return async function processClassifyJob(
    job: Job<ClassifyJobData>,
  ): Promise<{ outcome: Outcome; category: string; calledAt?: number | undefined }> {
    const parsed = classifyJobSchema.safeParse(job.data);
    if (!parsed.success) throw new AppError("JOB_INVALID", "job payload does not match the classify schema");
    const { answer: saved, ...payload } = parsed.data;
    let answer = saved;
    if (!answer) {
      // opened here and nowhere else: the text lives in this worker's memory only for the call
      const text = payload.sealed ? deps.sealer.open(payload.sealed, String(job.id)) : (payload.text ?? "");
      const startedAt = Date.now();
      try {
        answer = await answers(text, payload.chars);
      } catch (err) {
        // Redis first: its lost connection looks like Postgres's to isConnectionLost
        if (isRedisLost(err)) return waitForRedis(startedAt);
        // the cache's Postgres is down: hold the queue before paying Google for an answer
        // whose event could not be written anyway
        if (isConnectionLost(err)) return holdQueue(database, startedAt, "postgres unavailable");
        throw err;
      }
      // Google's answer is kept with the job before the write: from here on a retry repeats only
      // the write, not the paid call. A cached or skipped answer costs a retry nothing to find
      // again, so it is not worth a Redis round trip per job.
      if (answer.source === "google") await job.updateData({ ...payload, answer });
    }

    const tagged = tagLabels(deps.taxonomy, answer.labels, deps.threshold);
    const unknown = tagged.filter((l) => !l.known);
    if (unknown.length > 0) {
      deps.metrics.unknownPaths.inc(unknown.length);
      // Google's paths are public taxonomy names, safe to log; they tell us the list needs updating.
      deps.log.warn(
        { paths: unknown.map((l) => l.path) },
        "google returned category paths missing from config",
      );
    }
    const category = requestCategory(tagged, decisionRuleOf(deps.taxonomy));
    const row = eventRow(String(job.id), payload, answer, category, deps.taxonomy.version);
    const startedAt = Date.now();
    let inserted: boolean;
    try {
      inserted = await writeEvent(row, tagged);
      database.succeeded(startedAt);
    } catch (err) {
      if (isConnectionLost(err)) return holdQueue(database, startedAt, "postgres unavailable");
      if (isDataError(err)) {
        const sqlstate = (err as { code?: string }).code;
        throw new AppError("DATA_REJECTED", `Postgres refused the event (SQLSTATE ${sqlstate})`, {
          cause: err,
        });
      }
      throw err; // transient or unknown: retried with backoff, the answer kept
    }
    if (inserted) deps.metrics.countEvent(answer.outcome, category);
    return { outcome: answer.outcome, category, calledAt: answer.calledAt };
  };
}
