import { type Job, UnrecoverableError, Worker } from "bullmq";
import type { Redis } from "ioredis";
import { AppError, type ErrorCode, errorCodes, isConnectionLost } from "../platform/errors";
import { backoffDelay } from "./backoff";
import { createGoogleRate, JOB_LIMITER } from "./google-rate";
import { CLASSIFY_JOB, type ClassifyJobData, type ClassifyQueue } from "./jobs";
import { createProcessor, type ProcessorDeps } from "./processor";
import { countRemoval } from "./removals";

export interface WorkerOptions {
  connection: Redis;
  /** The producer-side handle of the same queue: quota holds are set on it for every worker. */
  queue: ClassifyQueue;
  queueName: string;
  prefix: string;
  concurrency: number;
  googleQpm: number;
  /** How long a job's lock lives without renewal (renewed every half of it). */
  lockDurationMs: number;
  /** How often workers look for jobs whose worker died (two looks: mark, then recover). */
  stalledIntervalMs: number;
  /** Crashes a job may live through before it is set aside as the likely cause. */
  maxStalledCount: number;
}

/** Short, non-reversible handle for logs: enough to correlate lines, useless for lookups. */
export const shortId = (id: string | undefined) => (id ?? "").slice(0, 10);

/** BullMQ's own messages name jobs by their full id ("could not renew lock for job <id>"): logged
 * with short ids, as every other line is. Pure. */
export const shortIds = (message: string) => message.replace(/\b([0-9a-f]{10})[0-9a-f]{54}\b/g, "$1");

const STALLED_MESSAGE = "job stalled more than allowable limit"; // BullMQ's own words

/**
 * Why a job failed for good, as a `census_jobs_failed_total` reason; null while it will be
 * retried. Codes that are not retryable were dropped on purpose; the others are kept.
 */
export function failureReason(job: Job | undefined, err: Error): string | null {
  if (err.name === "UnrecoverableError") {
    if (err.message in errorCodes) return err.message.toLowerCase();
    return err.message === STALLED_MESSAGE ? "stalled" : "unrecoverable";
  }
  if (!job || job.attemptsMade >= (job.opts.attempts ?? 1)) return "attempts_exhausted";
  return null;
}

/** A job's data with its text gone, sealed or in clear: what a dropped job keeps until removed. */
export function withoutText(data: ClassifyJobData): ClassifyJobData {
  const { sealed: _sealed, text: _text, ...facts } = data;
  return { ...facts, text: "" };
}

const DROPPED = new Set(
  Object.entries(errorCodes)
    .filter(([, c]) => !c.retryable)
    .map(([code]) => code.toLowerCase()),
);

/** Redis calls of our own (call slots, holds) that find Redis gone say so, for the processor. */
function onRedis<T>(call: () => Promise<T>): Promise<T> {
  return call().catch((err: unknown) => {
    throw isConnectionLost(err) ? new AppError("REDIS_UNAVAILABLE", undefined, { cause: err }) : err;
  });
}

export function createClassifyWorker(
  opts: WorkerOptions,
  deps: Omit<ProcessorDeps, "rateLimit" | "onAuthFailure" | "acquireCall">,
) {
  let worker: Worker<ClassifyJobData>;
  const rate = createGoogleRate(opts.queue, opts.googleQpm);
  const processor = createProcessor({
    ...deps,
    rateLimit: async (ms) => {
      await onRedis(() => rate.hold(ms));
    },
    acquireCall: () => onRedis(() => rate.acquire()),
    onAuthFailure: (reason) => {
      deps.log.fatal(
        { reason: reason.slice(0, 300) },
        "GOOGLE REJECTED OUR CREDENTIALS (401/403): worker paused so the queue is not burned. Fix GOOGLE_API_KEY / ADC and restart.",
      );
      void worker.pause(true);
    },
  });
  worker = new Worker<ClassifyJobData>(
    opts.queueName,
    async (job) => {
      try {
        if (job.name !== CLASSIFY_JOB) throw new AppError("JOB_INVALID", `unknown job name ${job.name}`);
        return await processor(job);
      } catch (err) {
        // A code that is not retryable will fail the same way every time: fail it now, with its
        // text scrubbed first so nothing of it outlives this line even if the removal below fails.
        if (err instanceof AppError && !err.retryable) {
          await job.updateData(withoutText(job.data)).catch(() => {});
          throw new UnrecoverableError(err.code satisfies ErrorCode);
        }
        throw err;
      }
    },
    {
      connection: opts.connection,
      prefix: opts.prefix,
      concurrency: opts.concurrency,
      // GOOGLE_QPM limits Google calls (google-rate.ts), not jobs: cache hits never wait for quota
      limiter: JOB_LIMITER,
      lockDuration: opts.lockDurationMs,
      stalledInterval: opts.stalledIntervalMs,
      maxStalledCount: opts.maxStalledCount,
      settings: {
        backoffStrategy: (attemptsMade) => backoffDelay(attemptsMade, deps.retryBaseMs, deps.retryMaxMs),
      },
    },
  );
  worker.on("error", (err) => {
    // BullMQ reports each failed reconnect: that is a Redis outage, and it reconnects by itself
    const msg = shortIds(err.message);
    if (isConnectionLost(err)) deps.log.warn({ msg }, "redis unavailable: worker reconnecting");
    else deps.log.error({ errName: err.name, msg }, "worker error");
  });
  // One line per job, with closed sets only: which process did what, and how long it took.
  worker.on(
    "completed",
    (job, result: { outcome: string; category: string; calledAt?: number } | undefined) => {
      deps.log.info(
        {
          job: shortId(job.id),
          outcome: result?.outcome,
          category: result?.category,
          attempts: job.attemptsMade,
          // when its own Google call went out (ms since epoch); absent when the cache answered
          calledAt: result?.calledAt,
          ms: job.finishedOn && job.processedOn ? job.finishedOn - job.processedOn : undefined,
        },
        "job done",
      );
    },
  );
  worker.on("failed", (job, err) => {
    const reason = failureReason(job, err);
    const fields = { job: shortId(job?.id), attemptsMade: job?.attemptsMade, errName: err.name };
    if (reason === null) {
      deps.log.warn({ ...fields, msg: shortIds(err.message).slice(0, 300) }, "job failed; will retry");
      return;
    }
    deps.metrics.jobsFailed.inc({ reason });
    if (DROPPED.has(reason)) {
      deps.log.error(
        { ...fields, reason, code: "JOBS_REMOVED" },
        "job dropped: it can never succeed; its text was removed",
      );
      void job?.remove().catch(() => {});
      void countRemoval(opts.queue, opts.connection, "dropped", 1).catch(() => {});
    } else {
      deps.log.error(
        { ...fields, reason, msg: shortIds(err.message).slice(0, 300) },
        "job failed for good and is kept, text included, in the failed set: `census queue retry` re-queues it",
      );
    }
  });
  return worker;
}
