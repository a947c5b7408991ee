import { Worker } from "bullmq";
import type { Redis } from "ioredis";
import { backoffDelay, limiterFor } from "./backoff";
import { CLASSIFY_JOB, type ClassifyPayload, type ClassifyQueue } from "./jobs";
import { createProcessor, type ProcessorDeps } from "./processor";

export interface WorkerOptions {
  connection: Redis;
  /** The producer-side handle of the same queue: quota holds are set on it for every worker. */
  queue: ClassifyQueue;
  queueName: string;
  prefix: string;
  concurrency: number;
  googleQpm: number;
}

/** Short, non-reversible handle for logs: enough to correlate lines, useless for lookups. */
export const shortId = (id: string | undefined) => (id ?? "").slice(0, 10);

export function createClassifyWorker(
  opts: WorkerOptions,
  deps: Omit<ProcessorDeps, "rateLimit" | "onAuthFailure">,
) {
  let worker: Worker<ClassifyPayload>;
  const processor = createProcessor({
    ...deps,
    rateLimit: (ms) => opts.queue.rateLimit(ms),
    onAuthFailure: (reason) => {
      deps.log.fatal(
        { reason: reason.slice(0, 300) },
        "GOOGLE REJECTED OUR CREDENTIALS (401/403): worker paused so the queue is not burned. Fix GOOGLE_API_KEY / ADC and restart.",
      );
      void worker.pause(true);
    },
  });

  worker = new Worker<ClassifyPayload>(
    opts.queueName,
    async (job) => {
      if (job.name !== CLASSIFY_JOB) throw new Error(`unknown job name ${job.name}`);
      return processor(job);
    },
    {
      connection: opts.connection,
      prefix: opts.prefix,
      concurrency: opts.concurrency,
      // BullMQ's limiter is global per queue, so every worker process together stays under GOOGLE_QPM.
      limiter: limiterFor(opts.googleQpm),
      settings: {
        backoffStrategy: (attemptsMade) => backoffDelay(attemptsMade, deps.retryBaseMs, deps.retryMaxMs),
      },
    },
  );

  worker.on("error", (err) => deps.log.error({ errName: err.name, msg: err.message }, "worker error"));
  worker.on("failed", (job, err) => {
    const final = err.name === "UnrecoverableError" || !job || job.attemptsMade >= (job.opts.attempts ?? 1);
    if (final) deps.metrics.jobsFailed.inc();
    deps.log[final ? "error" : "warn"](
      {
        job: shortId(job?.id),
        attemptsMade: job?.attemptsMade,
        errName: err.name,
        msg: err.message.slice(0, 300),
      },
      final ? "job failed for good; its text was removed with it" : "job failed; will retry",
    );
  });
  return worker;
}
