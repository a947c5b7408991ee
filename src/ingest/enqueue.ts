import type { Redis } from "ioredis";
import type { Db } from "../db/client";
import {
  type ClassifyJobInput,
  type ClassifyPayload,
  type ClassifyQueue,
  enqueueClassify,
  existingJobIds,
} from "../queue/jobs";
import type { Sealer } from "../queue/sealed";
import { createBatcher } from "./batcher";

// The door's writes: a sampled job is queued unless its id is already queued or its event already
// stored. Concurrent requests share these round trips (createBatcher): a request with one sampled
// item among 100 cost a Redis look-up, a Postgres look-up and a BullMQ add of its own, about
// half of all the CPU the door spent.

export interface EnqueueDeps {
  db: Db;
  queue: ClassifyQueue;
  redis: Redis;
  sealer: Sealer;
  jobAttempts: number;
}

/** What became of a job: queued now, or already queued or stored (a duplicate). */
export type Fate = "queued" | "present";

/** Jobs queued in one BullMQ call: 1,000 at once held the event loop ~90-300 ms. */
export const ENQUEUE_CHUNK = 100;

/** At most this many jobs a flush: the largest batch a request may carry. */
const FLUSH_JOBS = 1000;

// A named statement, prepared once per connection: drizzle built and parsed this select anew on
// every call. Bounded by observed hour, so Postgres looks only in the partitions the window
// names (pruned when the statement starts): by id alone it probed every month's key index, and
// the cost grew with the months kept (17 partitions: 0.21 ms of execution a look-up, against 0.03).
const STORED_IDS = {
  name: "ingest-stored-ids",
  text: "SELECT id FROM prompt_events WHERE id = ANY($1::text[]) AND observed_hour >= $2 AND observed_hour < $3",
};

/**
 * Pure: the observed hours [from, to) where these jobs' events can already be stored. An event is
 * stored at its job's observed hour (the table's key is id and hour), and a resend has the same
 * hour when the item carries createdAt; without it the hour is the arrival's. A router resends
 * within minutes, so for live jobs the window runs from the month before the earliest job's
 * month; a backfill of logs without times can be run again months later, so its window is open.
 */
export function storedWindow(
  jobs: readonly Pick<ClassifyPayload, "observedHour" | "source">[],
): [string, string] {
  const times = jobs.map((j) => Date.parse(j.observedHour));
  const last = new Date(Math.max(...times));
  const to = new Date(Date.UTC(last.getUTCFullYear(), last.getUTCMonth() + 1, 1)).toISOString();
  if (jobs.some((j) => j.source !== "live")) return ["-infinity", to];
  const first = new Date(Math.min(...times));
  return [new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() - 1, 1)).toISOString(), to];
}

/** Of these jobs' event ids, those still queued (any state) or already stored. */
export async function presentIds(jobs: readonly ClassifyJobInput[], deps: EnqueueDeps): Promise<Set<string>> {
  if (jobs.length === 0) return new Set();
  const ids = jobs.map((j) => j.eventId);
  const [from, to] = storedWindow(jobs.map((j) => j.payload));
  const [queued, stored] = await Promise.all([
    existingJobIds(deps.queue, deps.redis, ids),
    deps.db.$client.query<{ id: string }>({ ...STORED_IDS, values: [ids, from, to] }),
  ]);
  for (const { id } of stored.rows) queued.add(id);
  return queued;
}

/**
 * Queues jobs, each once: a job whose id is present, or repeats one earlier in the flush (the same
 * prompt in two concurrent requests), is `present`. The job id and the table's primary key stop
 * duplicates that race past this check. A failure rejects every request of the flush; each
 * resends, and what was queued meanwhile is then found present, so nothing is queued twice.
 */
export function createEnqueuer(deps: EnqueueDeps): (jobs: readonly ClassifyJobInput[]) => Promise<Fate[]> {
  return createBatcher(async (jobs: ClassifyJobInput[]) => {
    const seen = new Set<string>();
    const first = jobs.map(({ eventId }) => !seen.has(eventId) && seen.add(eventId) !== undefined);
    const present = await presentIds(
      jobs.filter((_, i) => first[i]),
      deps,
    );
    const fates: Fate[] = jobs.map((job, i) =>
      first[i] && !present.has(job.eventId) ? "queued" : "present",
    );
    const pending = jobs.filter((_, i) => fates[i] === "queued");
    for (let at = 0; at < pending.length; at += ENQUEUE_CHUNK) {
      await enqueueClassify(deps.queue, pending.slice(at, at + ENQUEUE_CHUNK), deps.jobAttempts, deps.sealer);
    }
    return fates;
  }, FLUSH_JOBS);
}
