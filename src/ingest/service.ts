import { inArray } from "drizzle-orm";
import type { Redis } from "ioredis";
import type { Db } from "../db/client";
import { promptEvents } from "../db/schema";
import { AppError } from "../platform/errors";
import type { Metrics } from "../platform/metrics";
import { type ClassifyJobInput, type ClassifyQueue, enqueueClassify, existingJobIds } from "../queue/jobs";
import type { Sealer } from "../queue/sealed";
import type { Redacted } from "../redaction/pii";
import type { TextFrom } from "../vocabulary";
import { type PlanSettings, planItem } from "./plan";
import type { IngestResult, PromptItem } from "./schema";
import { eachInSlices } from "./slices";

export interface IngestDeps {
  db: Db;
  queue: ClassifyQueue;
  redis: Redis;
  metrics: Metrics;
  secret: string;
  sampleRate: number;
  maxChars: number;
  jobAttempts: number;
  sealer: Sealer;
  redact: boolean;
  textFrom: TextFrom;
}

type PlannedJob = ClassifyJobInput & { redactions: Redacted["found"] };

function settingsOf(
  deps: IngestDeps,
  opts: Pick<PlanSettings, "source"> & { now?: Date; sampleRate?: number },
): PlanSettings {
  return {
    secret: deps.secret,
    sampleRate: opts.sampleRate ?? deps.sampleRate,
    maxChars: deps.maxChars,
    redact: deps.redact,
    textFrom: deps.textFrom,
    source: opts.source,
    now: opts.now ?? new Date(),
  };
}

/**
 * Plans a batch: each sampled item's job by event id; repeats in the batch are duplicates. In
 * slices: redaction costs up to ~1 ms an item, and a batch holds 1,000.
 */
async function planBatch(items: readonly PromptItem[], settings: PlanSettings) {
  const jobs = new Map<string, PlannedJob>();
  let skipped = 0;
  let duplicates = 0;
  await eachInSlices(items, (item) => {
    const planned = planItem(item, settings);
    if (!planned.sampled) skipped++;
    else if (jobs.has(planned.eventId)) duplicates++;
    else jobs.set(planned.eventId, planned);
  });
  return { jobs, skipped, duplicates };
}

/** Jobs queued in one BullMQ call: 1,000 at once held the event loop ~90-300 ms. */
export const ENQUEUE_CHUNK = 100;

/** Removes the jobs whose id is still queued (any state) or whose event is stored; returns how many. */
async function dropPresent(jobs: Map<string, PlannedJob>, deps: IngestDeps): Promise<number> {
  const ids = [...jobs.keys()];
  const [queued, stored] = await Promise.all([
    existingJobIds(deps.queue, deps.redis, ids),
    ids.length === 0
      ? []
      : deps.db.select({ id: promptEvents.id }).from(promptEvents).where(inArray(promptEvents.id, ids)),
  ]);
  let present = 0;
  for (const id of [...queued, ...stored.map((r) => r.id)]) {
    if (jobs.delete(id)) present++;
  }
  return present;
}

/**
 * Samples, truncates and enqueues. A sampled item whose event id is already queued, already stored
 * or repeated in the same batch counts as a duplicate; the job id and the table's primary key stop
 * duplicates that race past this check. Jobs are queued in chunks of ENQUEUE_CHUNK, each awaited,
 * so the event loop runs between them. If Redis refuses a chunk, the caller gets a 503 and resends
 * the batch whole: the chunks already queued are found by their job ids and count as duplicates,
 * so nothing is queued twice and nothing is lost silently.
 */
export async function ingestPrompts(
  items: readonly PromptItem[],
  deps: IngestDeps,
  opts: Pick<PlanSettings, "source"> & {
    now?: Date;
    sampleRate?: number;
    /** Valid items the door already found outside the sample (judgeItems): counted, not passed. */
    outside?: number;
  } = { source: "live" },
): Promise<IngestResult> {
  // each job with what redaction replaced in it, counted once the batch is queued
  const planned = await planBatch(items, settingsOf(deps, opts));
  const { jobs } = planned;
  const outside = opts.outside ?? 0;
  const skipped = planned.skipped + outside;
  let duplicates = planned.duplicates;
  try {
    if (jobs.size > 0) duplicates += await dropPresent(jobs, deps);
    const pending = [...jobs.values()];
    for (let at = 0; at < pending.length; at += ENQUEUE_CHUNK) {
      await enqueueClassify(deps.queue, pending.slice(at, at + ENQUEUE_CHUNK), deps.jobAttempts, deps.sealer);
    }
  } catch (cause) {
    throw new AppError(
      "SERVICE_UNAVAILABLE",
      "Could not queue the prompts; resend the batch (prompts already queued count as duplicates).",
      { cause },
    );
  }

  const result = { accepted: items.length + outside, sampled: jobs.size, skipped, duplicates };
  for (const { redactions } of jobs.values()) deps.metrics.countRedactions(redactions);
  deps.metrics.ingestItems.inc({ result: "sampled", source: opts.source }, result.sampled);
  deps.metrics.ingestItems.inc({ result: "skipped", source: opts.source }, skipped);
  deps.metrics.ingestItems.inc({ result: "duplicate", source: opts.source }, duplicates);
  return result;
}

/**
 * What ingestPrompts would queue, without queueing it: the event ids of sampled items that are
 * neither queued nor stored (a Redis that lost its jobs leaves such ids behind). Ids only, never
 * written anywhere; the caller counts them.
 */
export async function missingEventIds(
  items: readonly PromptItem[],
  deps: IngestDeps,
  opts: Pick<PlanSettings, "source"> & { sampleRate?: number },
): Promise<{ missing: string[]; present: number; skipped: number; repeated: number }> {
  const { jobs, skipped, duplicates } = await planBatch(items, settingsOf(deps, opts));
  try {
    const present = await dropPresent(jobs, deps);
    return { missing: [...jobs.keys()], present, skipped, repeated: duplicates };
  } catch (cause) {
    throw new AppError("SERVICE_UNAVAILABLE", "Could not look the prompts up in Redis and Postgres.", {
      cause,
    });
  }
}
