import { AppError } from "../platform/errors";
import type { Metrics } from "../platform/metrics";
import type { ClassifyJobInput } from "../queue/jobs";
import type { Redacted } from "../redaction/pii";
import type { TextFrom } from "../vocabulary";
import { type EnqueueDeps, type Fate, presentIds } from "./enqueue";
import { type PlanSettings, planItem } from "./plan";
import type { IngestResult, PromptItem } from "./schema";
import { eachInSlices } from "./slices";

export interface IngestDeps extends EnqueueDeps {
  metrics: Metrics;
  secret: string;
  sampleRate: number;
  maxChars: number;
  redact: boolean;
  textFrom: TextFrom;
  /** createEnqueuer(this): one per process, so live posts, OTLP and backfills share its batches. */
  enqueue: (jobs: readonly ClassifyJobInput[]) => Promise<Fate[]>;
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
async function planBatch(items: readonly PromptItem[], settings: PlanSettings, since?: number) {
  const jobs = new Map<string, PlannedJob>();
  let skipped = 0;
  let duplicates = 0;
  const plan = (item: PromptItem) => {
    const planned = planItem(item, settings);
    if (!planned.sampled) skipped++;
    else if (jobs.has(planned.eventId)) duplicates++;
    else jobs.set(planned.eventId, planned);
  };
  await eachInSlices(items, plan, since === undefined ? {} : { since });
  return { jobs, skipped, duplicates };
}

/**
 * Samples, truncates and enqueues. A sampled item whose event id is already queued, already stored
 * or repeated in the same batch (or in a concurrent one) counts as a duplicate (enqueue.ts). If
 * Redis refuses, the caller gets a 503 and resends the batch whole: the jobs already queued are
 * found by their ids and count as duplicates, so nothing is queued twice and nothing is lost
 * silently.
 */
export async function ingestPrompts(
  items: readonly PromptItem[],
  deps: IngestDeps,
  opts: Pick<PlanSettings, "source"> & {
    now?: Date;
    sampleRate?: number;
    /** Valid items the door already found outside the sample (judgeItems): counted, not passed. */
    outside?: number;
    /**
     * When the caller's synchronous work on this batch began: planning shares its first slice
     * (eachInSlices). A turn of the event loop before a request's one sampled item is not
     * needed: without it the door ran 16% faster with both variants interleaved in one process
     * (the bench's run-to-run noise hides much of that).
     */
    since?: number;
  } = { source: "live" },
): Promise<IngestResult> {
  const outside = opts.outside ?? 0;
  // The common case at a low rate: nothing in the batch is sampled (no planning, no queue).
  if (items.length === 0)
    return counted(deps, opts.source, { accepted: outside, sampled: 0, skipped: outside, duplicates: 0 });
  // each job with what redaction replaced in it, counted once the batch is queued
  const planned = await planBatch(items, settingsOf(deps, opts), opts.since);
  const { jobs } = planned;
  const skipped = planned.skipped + outside;
  let duplicates = planned.duplicates;
  try {
    const fates = jobs.size > 0 ? await deps.enqueue([...jobs.values()]) : [];
    for (const [i, id] of [...jobs.keys()].entries()) {
      if (fates[i] === "queued") continue;
      jobs.delete(id);
      duplicates++;
    }
  } catch (cause) {
    throw new AppError(
      "SERVICE_UNAVAILABLE",
      "Could not queue the prompts; resend the batch (prompts already queued count as duplicates).",
      { cause },
    );
  }

  for (const { redactions } of jobs.values()) deps.metrics.countRedactions(redactions);
  return counted(deps, opts.source, {
    accepted: items.length + outside,
    sampled: jobs.size,
    skipped,
    duplicates,
  });
}

/** Adds a result's counts to the metrics and returns it; zero counts are not added (prom-client hashes the labels of every inc). */
function counted(deps: IngestDeps, source: PlanSettings["source"], result: IngestResult): IngestResult {
  const { ingestItems } = deps.metrics;
  if (result.sampled > 0) ingestItems.inc({ result: "sampled", source }, result.sampled);
  if (result.skipped > 0) ingestItems.inc({ result: "skipped", source }, result.skipped);
  if (result.duplicates > 0) ingestItems.inc({ result: "duplicate", source }, result.duplicates);
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
    const present = await presentIds([...jobs.values()], deps);
    const missing = [...jobs.keys()].filter((id) => !present.has(id));
    return { missing, present: jobs.size - missing.length, skipped, repeated: duplicates };
  } catch (cause) {
    throw new AppError("SERVICE_UNAVAILABLE", "Could not look the prompts up in Redis and Postgres.", {
      cause,
    });
  }
}
