import type { Redis } from "ioredis";
import type { ClassifyQueue } from "./jobs";

// An accepted prompt leaves the queue as an event, or by a removal someone chose: `census queue
// purge` (failed jobs given up on) or the worker dropping a job that can never succeed. Each
// removal is logged where it happens and counted in Redis, beside the queue, so that every
// process's /metrics shows the same total whichever process (a CLI run, any worker) removed it.
// The queue UI removes nothing (admin/routes.ts).

export const removalReasons = ["purged", "dropped"] as const;
export type RemovalReason = (typeof removalReasons)[number];

const countsKey = (queue: ClassifyQueue) => queue.toKey("census:removed");

/** Counts a removal; the caller logs it, with what it knows of the jobs (closed sets only). */
export async function countRemoval(queue: ClassifyQueue, redis: Redis, reason: RemovalReason, n: number) {
  if (n > 0) await redis.hincrby(countsKey(queue), reason, n);
}

export async function removalCounts(
  queue: ClassifyQueue,
  redis: Redis,
): Promise<Record<RemovalReason, number>> {
  const raw = await redis.hgetall(countsKey(queue));
  return Object.fromEntries(removalReasons.map((r) => [r, Number(raw[r] ?? 0)])) as Record<
    RemovalReason,
    number
  >;
}
