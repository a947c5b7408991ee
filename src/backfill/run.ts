import type { Db } from "../db/client";
import { AppError, isConnectionLost } from "../platform/errors";
import { DEFAULT_FIELDS, type FieldMap, OPENAI_CHAT_FIELDS } from "./fields";
import { type BackfillDeps, createLoop, type LoopOptions } from "./loop";
import type { PickSettings } from "./pick";
import { createProgress, type Progress } from "./progress";
import { readRecords } from "./records";
import {
  type BadLine,
  type Checkpoint,
  createRun,
  date,
  loadRun,
  notTheInput,
  type Run,
  type SavedOptions,
} from "./runs";
import { type Format, type OpenedSource, openInput } from "./source";
import { checkRun } from "./verify";

export type { BackfillDeps };

export interface BackfillOptions extends LoopOptions {
  input: string;
  format: Format | "auto" | "openai-chat";
  fields: Partial<FieldMap>;
  since?: Date | undefined;
  until?: Date | undefined;
  sampleRate?: number | undefined;
  resume?: string | undefined;
  maxRecordBytes: number;
  progress?: Progress;
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

/** What a run reads and how: a resumed run exactly as it started (fields, window, sampling rate). */
interface Plan {
  run: Run | undefined;
  input: string;
  format: Format | "auto";
  pick: PickSettings;
  opened: OpenedSource;
  /** Plain NDJSON with a saved offset: the source was opened there. */
  seek: { offset: number; index: number } | undefined;
}

async function resumable(db: Db, id: string): Promise<Run> {
  const run = await loadRun(db, id);
  if (!run) throw new AppError("NOT_FOUND", `no backfill run ${id}`);
  if (run.status === "done") {
    throw new AppError(
      "RUN_REFUSED",
      `run ${run.id} is already done (to re-queue records whose events are missing: census backfill --verify ${run.id})`,
    );
  }
  return run;
}

async function planRun(deps: BackfillDeps, o: BackfillOptions): Promise<Plan> {
  let run = o.resume ? await resumable(deps.db, o.resume) : undefined;
  const saved = run?.options as SavedOptions | undefined;
  const fields: FieldMap = saved?.fields ?? {
    ...(o.format === "openai-chat" ? OPENAI_CHAT_FIELDS : DEFAULT_FIELDS),
    ...o.fields,
  };
  const sampleRate = saved?.sampleRate ?? o.sampleRate ?? deps.ingest.sampleRate;
  const format = (run?.format ?? (o.format === "openai-chat" ? "auto" : o.format)) as Format | "auto";
  const input = o.input || run?.source;
  if (!input) throw new AppError("USAGE", "give a file, or - for stdin");
  const seek =
    run?.byteOffset != null && run.format === "ndjson"
      ? { offset: Number(run.byteOffset), index: Number(run.records) }
      : undefined;
  const opened = await openInput(input, seek?.offset ?? 0);
  if (run && run.fingerprint !== opened.fingerprint) {
    opened.stream.destroy();
    throw new AppError("RUN_REFUSED", notTheInput(run));
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
  const pick: PickSettings = {
    fields,
    since: saved ? date(saved.since) : o.since,
    until: saved ? date(saved.until) : o.until,
    secret: deps.ingest.secret,
    sampleRate,
    maxChars: deps.ingest.maxChars,
  };
  return { run, input, format, pick, opened, seek };
}

/**
 * After a resume read to the end. Between the legs the queue was on its own (a Redis that lost
 * its data says nothing to a run): count the sampled records of the whole run that became
 * neither event nor job.
 */
async function countMissing(
  deps: BackfillDeps,
  plan: Plan & { run: Run },
  upTo: number,
  o: BackfillOptions,
  progress: Progress,
  signal: AbortSignal | undefined,
): Promise<Pick<BackfillResult, "missing" | "unchecked">> {
  if (plan.input === "-") return { unchecked: "stdin" };
  const check = await checkRun(deps, plan.run, {
    requeue: false,
    input: plan.input,
    upTo,
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
  return check.status === "interrupted" ? { unchecked: "interrupted" } : { missing: check.missing };
}

/**
 * Streams a log file through the live path: the same validation, deterministic sampling,
 * truncation, job ids and queue (at backfill priority, under the same Google rate limit).
 * Bounded memory: records are handled one at a time, and only sampled ones wait for a chunk.
 */
export async function backfill(
  deps: BackfillDeps,
  o: BackfillOptions,
  signal?: AbortSignal,
): Promise<BackfillResult> {
  const plan = await planRun(deps, o);
  const { run, opened } = plan;
  const progress = o.progress ?? createProgress({ tty: false, totalBytes: opened.totalBytes, everyMs: 5000 });
  const loop = createLoop(deps, run, opened, plan.pick, o, progress, signal);
  const records = readRecords(opened.stream, {
    format: plan.format,
    name: plan.input,
    maxRecordBytes: o.maxRecordBytes,
    skip: loop.state.records,
    seek: plan.seek,
    onFormat: loop.onFormat,
  });

  let status: BackfillResult["status"] = o.dryRun ? "dry-run" : "done";
  let check: Pick<BackfillResult, "missing" | "unchecked"> = {};
  let error: string | undefined;
  const started = performance.now();
  try {
    status = (await loop.readAll(records)) ?? status;
    if (status === "interrupted") await loop.save("interrupted");
    else await loop.flush();
    if (status === "done") await loop.save("done");
    if (status === "done" && o.resume && run) {
      check = await countMissing(deps, { ...plan, run }, loop.position(), o, progress, signal);
      if (check.missing !== undefined && check.missing > 0) status = "incomplete";
    }
  } catch (err) {
    error = describe(err);
    status = "failed";
    await loop.fail(error);
  } finally {
    progress.update(loop.counters, opened.bytesRead());
    progress.stop();
    opened.stream.destroy();
  }
  return {
    runId: run?.id,
    status,
    counters: loop.counters,
    badLines: loop.state.badLines,
    seconds: Math.round(performance.now() - started) / 1000,
    ...(error ? { error } : {}),
    ...(check.missing !== undefined ? { missing: check.missing } : {}),
    ...(check.unchecked ? { unchecked: check.unchecked } : {}),
  };
}

function describe(err: unknown): string {
  if (err instanceof AppError && err.code === "INPUT_UNREADABLE") return err.message;
  if (err instanceof AppError && err.code === "SERVICE_UNAVAILABLE") {
    return "lost Redis or Postgres: could not queue prompts";
  }
  if (isConnectionLost(err)) return "lost Postgres: could not save the checkpoint";
  return (err as { message?: string })?.message?.slice(0, 300) ?? String(err);
}
