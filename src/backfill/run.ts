import type { Deps } from "../deps";
import type { PromptItem } from "../ingest/schema";
import { ingestPrompts } from "../ingest/service";
import { AppError, isConnectionLost } from "../platform/errors";
import { DEFAULT_FIELDS, type FieldMap, OPENAI_CHAT_FIELDS } from "./fields";
import { type PickSettings, pickRecord } from "./pick";
import { createProgress, type Progress } from "./progress";
import { readRecords } from "./records";
import {
  type BadLine,
  type Checkpoint,
  checkpoint,
  createRun,
  date,
  emptyCounters,
  loadRun,
  type Run,
  type SavedOptions,
} from "./runs";
import { type Format, openSource } from "./source";
import { checkRun } from "./verify";

export interface BackfillOptions {
  input: string;
  format: Format | "auto" | "openai-chat";
  fields: Partial<FieldMap>;
  since?: Date | undefined;
  until?: Date | undefined;
  sampleRate?: number | undefined;
  dryRun: boolean;
  resume?: string | undefined;
  /** Sampled items per addBulk. */
  chunkSize: number;
  /** Pause while the queue holds more waiting jobs than this. */
  maxWaiting: number;
  maxRecordBytes: number;
  /** Checkpoint at least this often (records), even when nothing was sampled. */
  checkpointEvery: number;
  progress?: Progress;
  /** For tests: stop as if interrupted after this many records. */
  stopAfter?: number;
}

export interface BackfillResult {
  runId: string | undefined;
  /** incomplete: a resume read to the end, and sampled records have neither an event nor a job. */
  status: "done" | "incomplete" | "interrupted" | "failed" | "dry-run";
  counters: Checkpoint["counters"];
  badLines: BadLine[];
  /** Time spent reading and handling records (process start-up excluded). */
  seconds: number;
  error?: string;
  /** After a resume: sampled records of the whole run with neither an event nor a job. */
  missing?: number;
  /** After a resume whose missing records could not be counted: why (its input was stdin). */
  unchecked?: string;
}

const MAX_BAD_LINES_KEPT = 1000;

/**
 * Streams a log file through the live path: the same validation, deterministic sampling,
 * truncation, job ids and queue (at backfill priority, under the same Google rate limit).
 * Bounded memory: records are handled one at a time, and only sampled ones wait for a chunk.
 */
export async function backfill(
  deps: Deps,
  o: BackfillOptions,
  signal?: AbortSignal,
): Promise<BackfillResult> {
  let run: Run | undefined;
  if (o.resume) {
    run = await loadRun(deps.db, o.resume);
    if (!run) throw new AppError("NOT_FOUND", `no backfill run ${o.resume}`);
    if (run.status === "done") {
      throw new AppError(
        "RUN_REFUSED",
        `run ${run.id} is already done (to re-queue records whose events are missing: census backfill --verify ${run.id})`,
      );
    }
  }
  // A resumed run reads its input exactly as it started: same fields, window and sampling rate.
  const saved = run?.options as SavedOptions | undefined;
  const fields: FieldMap = saved?.fields ?? {
    ...(o.format === "openai-chat" ? OPENAI_CHAT_FIELDS : DEFAULT_FIELDS),
    ...o.fields,
  };
  const since = saved ? date(saved.since) : o.since;
  const until = saved ? date(saved.until) : o.until;
  const sampleRate = saved?.sampleRate ?? o.sampleRate ?? deps.env.SAMPLE_RATE;
  const format = (run?.format ?? (o.format === "openai-chat" ? "auto" : o.format)) as Format | "auto";

  const input = o.input || run?.source;
  if (!input) throw new AppError("USAGE", "give a file, or - for stdin");
  const canSeek = run?.byteOffset != null && run.format === "ndjson";
  const opened = await openSource(input, canSeek && run ? Number(run.byteOffset) : 0);
  if (run && run.fingerprint !== opened.fingerprint) {
    throw new AppError(
      "RUN_REFUSED",
      `the input is not the one run ${run.id} read (its fingerprint differs)`,
    );
  }
  if (!run && !o.dryRun) {
    const options: SavedOptions = {
      fields,
      since: o.since?.toISOString() ?? null,
      until: o.until?.toISOString() ?? null,
      sampleRate,
    };
    run = await createRun(deps.db, {
      source: input,
      fingerprint: opened.fingerprint,
      format,
      options: { ...options },
    });
  }

  const state: Checkpoint = run
    ? {
        records: Number(run.records),
        byteOffset: run.byteOffset === null ? null : Number(run.byteOffset),
        counters: { ...emptyCounters(), ...(run.counters as object) },
        badLines: [...(run.badLines as BadLine[])],
      }
    : { records: 0, byteOffset: null, counters: emptyCounters(), badLines: [] };
  const counters = state.counters;
  // What the database holds: position and counters of the last checkpoint, together. A failure
  // re-saves this, not the live counters, which have already counted records past the position
  // (a resume reads those again and would count them twice).
  let durable: Checkpoint = structuredClone(state);
  const progress = o.progress ?? createProgress({ tty: false, totalBytes: opened.totalBytes, everyMs: 5000 });
  const records = readRecords(opened.stream, {
    format,
    name: input,
    maxRecordBytes: o.maxRecordBytes,
    skip: state.records,
    seek: canSeek ? { offset: Number(run?.byteOffset), index: state.records } : undefined,
    onFormat: (f) => {
      resolvedFormat = f;
    },
  });

  let chunk: PromptItem[] = [];
  let position = { records: state.records, byteOffset: state.byteOffset };
  let sinceCheckpoint = 0;
  let lastCheckpoint = Date.now();
  // only plain NDJSON can be re-entered by seeking; anything else resumes by skipping records
  let resolvedFormat: string | undefined;
  let seekable = !opened.gzip;

  const save = async (status: Run["status"] = "running", error?: string) => {
    if (!run) return;
    state.records = position.records;
    state.byteOffset = seekable ? position.byteOffset : null;
    await checkpoint(deps.db, run.id, state, status, error, resolvedFormat);
    durable = structuredClone(state);
    sinceCheckpoint = 0;
    lastCheckpoint = Date.now();
  };

  const waitForRoom = async () => {
    for (;;) {
      const c = await deps.queue.getJobCounts("wait", "prioritized", "delayed", "paused");
      const waiting = Object.values(c).reduce((a, b) => a + b, 0);
      // an interrupt while paused still enqueues this one chunk, so the checkpoint stays exact
      if (waiting <= o.maxWaiting || signal?.aborted) return;
      progress.update(counters, opened.bytesRead(), `(paused: ${waiting} jobs waiting)`);
      await new Promise((r) => setTimeout(r, 500));
    }
  };

  /** Enqueues the sampled chunk, then records where the run stands: the two are the checkpoint. */
  const flush = async () => {
    if (chunk.length > 0 && !o.dryRun) {
      await waitForRoom().catch((cause: unknown) => {
        throw new AppError("SERVICE_UNAVAILABLE", "lost Redis", { cause });
      });
      const result = await ingestPrompts(chunk, deps.ingest, { source: "backfill", sampleRate });
      counters.enqueued += result.sampled;
      counters.duplicates += result.duplicates;
      counters.skipped += result.skipped;
      counters.sampled -= result.skipped; // no text after extraction: not a sampled prompt after all
    }
    chunk = [];
    await save();
  };

  const pick: PickSettings = {
    fields,
    since,
    until,
    secret: deps.env.HMAC_SECRET,
    sampleRate,
    maxChars: deps.env.MAX_CHARS,
  };
  const handle = (value: unknown, index: number) => {
    const picked = pickRecord(value, pick);
    if (picked.kind === "bad") noteBad(state, index, picked.reason);
    else if (picked.kind === "filtered") counters.filtered += 1;
    else if (picked.kind === "skipped") counters.skipped += 1;
    else {
      counters.sampled += 1;
      chunk.push(picked.item);
    }
  };

  let status: BackfillResult["status"] = o.dryRun ? "dry-run" : "done";
  let missing: number | undefined;
  let unchecked: string | undefined;
  const started = performance.now();
  let error: string | undefined;
  try {
    batches: for await (const batch of records) {
      for (const ev of batch) {
        counters.read += 1;
        if (ev.endOffset === undefined || resolvedFormat !== "ndjson") seekable = false;
        if (ev.kind === "bad") noteBad(state, ev.line ?? ev.index, ev.reason);
        else handle(ev.value, ev.index);
        position = { records: ev.index, byteOffset: ev.endOffset ?? null };
        sinceCheckpoint += 1;
        const stop = signal?.aborted || (o.stopAfter !== undefined && counters.read >= o.stopAfter);
        if (chunk.length >= o.chunkSize || sinceCheckpoint >= o.checkpointEvery || stop) await flush();
        if (stop) {
          status = "interrupted";
          break batches;
        }
      }
      progress.update(counters, opened.bytesRead());
      if (Date.now() - lastCheckpoint > 5000) await flush();
    }
    if (status !== "interrupted") await flush();
    if (status === "interrupted") await save("interrupted");
    else if (status === "done") await save("done");
    if (status === "done" && o.resume && run) {
      // Between the legs the queue was on its own (a Redis that lost its data says nothing to a
      // run): count the sampled records of the whole run that became neither event nor job.
      if (input === "-") unchecked = "stdin";
      else {
        const check = await checkRun(deps, run, {
          requeue: false,
          input,
          upTo: position.records,
          chunkSize: o.chunkSize,
          maxRecordBytes: o.maxRecordBytes,
          progress,
          signal,
        }).catch((err: unknown) => {
          // the run is marked failed at its end: a resume reads nothing more and counts again
          throw new AppError(
            "RUN_REFUSED",
            `read to the end, but could not count missing events: ${describe(err)}`,
          );
        });
        if (check.status === "interrupted") unchecked = "interrupted";
        else missing = check.missing;
        if (missing !== undefined && missing > 0) status = "incomplete";
      }
    }
  } catch (err) {
    error = describe(err);
    status = "failed";
    // the last checkpoint stands: everything before it is durable, a resume repeats the rest
    if (run) await checkpoint(deps.db, run.id, durable, "failed", error).catch(() => {});
  } finally {
    progress.update(counters, opened.bytesRead());
    progress.stop();
    opened.stream.destroy();
  }
  const seconds = Math.round(performance.now() - started) / 1000;
  return {
    runId: run?.id,
    status,
    counters,
    badLines: state.badLines,
    seconds,
    ...(error ? { error } : {}),
    ...(missing !== undefined ? { missing } : {}),
    ...(unchecked ? { unchecked } : {}),
  };
}

function noteBad(state: Checkpoint, line: number, reason: string) {
  state.counters.bad += 1;
  if (state.badLines.length < MAX_BAD_LINES_KEPT) state.badLines.push({ line, reason });
}

function describe(err: unknown): string {
  if (err instanceof AppError && err.code === "INPUT_UNREADABLE") return err.message;
  if (err instanceof AppError && err.code === "SERVICE_UNAVAILABLE") {
    return "lost Redis or Postgres: could not queue prompts";
  }
  if (isConnectionLost(err)) return "lost Postgres: could not save the checkpoint";
  return (err as { message?: string })?.message?.slice(0, 300) ?? String(err);
}
