import { inArray } from "drizzle-orm";
import type { Redis } from "ioredis";
import {
  type ClassifyJobInput,
  type ClassifyQueue,
  enqueueClassify,
  existingJobIds,
} from "../classification/jobs";
import type { Sealer } from "../classification/sealed";
import type { Db } from "../db/client";
import { promptEvents } from "../db/schema";
import { AppError } from "../platform/errors";
import type { Metrics } from "../platform/metrics";
import type { Redacted } from "../redaction/redact";
import { type PlanSettings, planItem } from "./plan";
import type { IngestResult, PromptItem } from "./schema";
import type { TextFrom } from "./text";

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

/**
 * Samples, truncates and enqueues. A sampled item whose event id is already queued, already stored
 * or repeated in the same batch counts as a duplicate; the job id and the table's primary key stop
 * duplicates that race past this check. If Redis refuses the batch, the caller gets a 503 and can
 * resend it whole: nothing is half-accepted silently.
 */
export async function ingestPrompts(
  items: readonly PromptItem[],
  deps: IngestDeps,
  opts: Pick<PlanSettings, "source"> & { now?: Date; sampleRate?: number } = { source: "live" },
): Promise<IngestResult> {
  const settings: PlanSettings = {
    secret: deps.secret,
    sampleRate: opts.sampleRate ?? deps.sampleRate,
    maxChars: deps.maxChars,
    redact: deps.redact,
    textFrom: deps.textFrom,
    source: opts.source,
    now: opts.now ?? new Date(),
  };
  // each job with what redaction replaced in it, counted once the batch is queued
  const jobs = new Map<string, ClassifyJobInput & { redactions: Redacted["found"] }>();
  let skipped = 0;
  let duplicates = 0;
  for (const item of items) {
    const planned = planItem(item, settings);
    if (!planned.sampled) skipped++;
    else if (jobs.has(planned.eventId)) duplicates++;
    else jobs.set(planned.eventId, planned);
  }

  try {
    const ids = [...jobs.keys()];
    const [queued, stored] = await Promise.all([
      existingJobIds(deps.queue, deps.redis, ids),
      ids.length === 0
        ? []
        : deps.db.select({ id: promptEvents.id }).from(promptEvents).where(inArray(promptEvents.id, ids)),
    ]);
    for (const id of [...queued, ...stored.map((r) => r.id)]) {
      if (jobs.delete(id)) duplicates++;
    }
    await enqueueClassify(deps.queue, [...jobs.values()], deps.jobAttempts, deps.sealer);
  } catch (cause) {
    throw new AppError("SERVICE_UNAVAILABLE", "Could not queue the prompts; nothing was accepted, resend.", {
      cause,
    });
  }

  const result = { accepted: items.length, sampled: jobs.size, skipped, duplicates };
  for (const { redactions } of jobs.values()) deps.metrics.countRedactions(redactions);
  deps.metrics.ingestItems.inc({ result: "sampled", source: opts.source }, result.sampled);
  deps.metrics.ingestItems.inc({ result: "skipped", source: opts.source }, skipped);
  deps.metrics.ingestItems.inc({ result: "duplicate", source: opts.source }, duplicates);
  return result;
}
