import type { Redis } from "ioredis";
import type { Logger } from "../platform/logger";
import type { ClassifyQueue } from "./jobs";
import { countRemoval } from "./removals";

// The failed set holds jobs a retry can still save (attempts or stalls exhausted), text included:
// the operator re-queues them once the cause is fixed, or purges them. `census queue` wraps these.

export const QUEUE_STATES = ["wait", "prioritized", "active", "delayed", "paused", "failed"] as const;

export async function queueCounts(queue: ClassifyQueue) {
  return queue.getJobCounts(...QUEUE_STATES);
}

/**
 * Re-queues every failed job with fresh attempts and a clean crash count (BullMQ's retry keeps
 * the count, so a job set aside for stalling would be set aside again at its next stall).
 */
export async function retryFailed(queue: ClassifyQueue): Promise<number> {
  const client = await queue.client;
  let retried = 0;
  for (;;) {
    const jobs = (await queue.getFailed(0, 499)).filter(Boolean);
    if (jobs.length === 0) return retried;
    for (const job of jobs) {
      await client.hdel(queue.toKey(String(job.id)), "stc");
      await job.retry("failed", { resetAttemptsMade: true, resetAttemptsStarted: true });
      retried += 1;
    }
  }
}

/** Removes every failed job, text and all; logs and counts the removal; returns how many. */
export async function purgeFailed(queue: ClassifyQueue, redis: Redis, log: Logger): Promise<number> {
  let removed = 0;
  for (;;) {
    const ids = await queue.clean(0, 1000, "failed");
    removed += ids.length;
    if (ids.length > 0) {
      log.warn(
        { code: "JOBS_REMOVED", reason: "purged", count: ids.length },
        `census queue purge removed ${ids.length} failed job(s): they will never become events`,
      );
      await countRemoval(queue, redis, "purged", ids.length);
    }
    if (ids.length < 1000) return removed;
  }
}
