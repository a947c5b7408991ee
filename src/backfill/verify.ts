import type { PromptItem } from "../ingest/schema";
import { type IngestDeps, ingestPrompts, missingEventIds } from "../ingest/service";
import { AppError } from "../platform/errors";
import { pickRecord } from "./pick";
import type { Progress } from "./progress";
import { readRecords } from "./records";
import { date, emptyCounters, notTheInput, type Run, type SavedOptions } from "./runs";
import { type Format, openInput } from "./source";

// A run's queued jobs live in Redis until they are events. A Redis that lost its data (see
// platform/redis-marker.ts) leaves sampled records with neither: `done` would be a lie. This reads
// the run's input again, as the run read it, and looks every sampled record's event id up in the
// queue and in prompt_events: counting the missing ones (a resume's last step) or queueing them
// again (`census backfill --verify`). Job ids are the event ids, so a second verify, or a job
// that turns up meanwhile, is never queued twice. Nothing is written but the re-queued jobs.

export interface CheckOptions {
  /** Queue the missing again (--verify); otherwise only count them. */
  requeue: boolean;
  /** Read this instead of the recorded path: the same file moved, or "-" for stdin given again. */
  input?: string | undefined;
  /** Read up to this record (default: the run's checkpoint). */
  upTo?: number | undefined;
  chunkSize: number;
  maxRecordBytes: number;
  progress?: Progress | undefined;
  signal?: AbortSignal | undefined;
}

export interface CheckResult {
  runId: string;
  status: "done" | "interrupted";
  /** Records read again (up to the run's checkpoint). */
  read: number;
  /** Sampled records with text to classify, as the run counted them. */
  sampled: number;
  /** Of those, stored as events or still in the queue (any state, failed included). */
  present: number;
  /** Of those, neither: their job was lost. Repeats of one request id count once. */
  missing: number;
  /** Of the missing, queued again (--verify only). */
  requeued: number;
  seconds: number;
}

/** Why a run's input cannot be read again; undefined when it can. */
export function unreadable(run: Run, input?: string): string | undefined {
  if ((input ?? run.source) !== "-" || input === "-") return undefined;
  return `run ${run.id} read stdin, which cannot be read again. Pipe the same input in once more: ... | census backfill - --verify ${run.id}`;
}

export async function checkRun(
  deps: { ingest: IngestDeps },
  run: Run,
  o: CheckOptions,
): Promise<CheckResult> {
  const gone = unreadable(run, o.input);
  if (gone) throw new AppError("USAGE", gone);
  const input = o.input ?? run.source;
  const saved = run.options as SavedOptions;
  const opened = await openInput(input, 0, run.id);
  if (opened.fingerprint !== run.fingerprint) {
    opened.stream.destroy();
    throw new AppError("RUN_REFUSED", notTheInput(run));
  }
  const pick = {
    fields: saved.fields,
    since: date(saved.since),
    until: date(saved.until),
    secret: deps.ingest.secret,
    sampleRate: saved.sampleRate,
    maxChars: deps.ingest.maxChars,
  };
  const upTo = o.upTo ?? Number(run.records);
  const result: CheckResult = {
    runId: run.id,
    status: "done",
    read: 0,
    sampled: 0,
    present: 0,
    missing: 0,
    requeued: 0,
    seconds: 0,
  };
  const missing = new Set<string>(); // event ids, in memory only while counting
  const opts = { source: "backfill" as const, sampleRate: saved.sampleRate };
  let chunk: PromptItem[] = [];
  const flush = async () => {
    if (chunk.length === 0) return;
    if (o.requeue) {
      const r = await ingestPrompts(chunk, deps.ingest, opts);
      result.sampled -= r.skipped; // no text after extraction, as the run counted it
      result.present += r.duplicates;
      result.requeued += r.sampled;
      result.missing += r.sampled;
    } else {
      const r = await missingEventIds(chunk, deps.ingest, opts);
      result.sampled -= r.skipped;
      result.present += r.present + r.repeated;
      for (const id of r.missing) missing.add(id);
      result.missing = missing.size;
    }
    chunk = [];
  };

  const started = performance.now();
  const shown = () => ({
    ...emptyCounters(),
    read: result.read,
    sampled: result.sampled,
    enqueued: result.requeued,
    duplicates: result.present,
  });
  try {
    const records = readRecords(opened.stream, {
      format: run.format as Format,
      name: input,
      maxRecordBytes: o.maxRecordBytes,
      skip: 0,
    });
    reading: for await (const batch of records) {
      for (const ev of batch) {
        if (ev.index > upTo || o.signal?.aborted) break reading;
        result.read += 1;
        if (ev.kind !== "record") continue;
        const picked = pickRecord(ev.value, pick);
        if (picked.kind !== "sampled") continue;
        result.sampled += 1;
        chunk.push(picked.item);
        if (chunk.length >= o.chunkSize) await flush();
      }
      o.progress?.update(shown(), opened.bytesRead(), "(verifying)");
    }
    await flush();
  } finally {
    opened.stream.destroy();
    o.progress?.update(shown(), opened.bytesRead(), "(verifying)");
  }
  if (o.signal?.aborted) result.status = "interrupted";
  result.seconds = Math.round(performance.now() - started) / 1000;
  return result;
}
