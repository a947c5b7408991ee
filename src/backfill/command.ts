import { existsSync, statSync } from "node:fs";
import { runMigrations } from "../db/migrate";
import { createDeps, type Deps } from "../deps";
import type { Env } from "../env";
import { AppError } from "../platform/errors";
import { createLogger } from "../platform/logger";
import type { FieldMap } from "./fields";
import { createProgress } from "./progress";
import { type BackfillOptions, type BackfillResult, backfill } from "./run";
import { loadRun } from "./runs";
import { checkRun } from "./verify";

const fieldOptions: Record<keyof FieldMap, string> = {
  requestId: "idField",
  prompt: "promptField",
  messages: "messagesField",
  model: "modelField",
  createdAt: "createdAtField",
  promptTokens: "promptTokensField",
  completionTokens: "completionTokensField",
  costUsd: "costField",
};

/** `census backfill`: wiring, signals, progress and the summary. Returns the exit code. */
export async function runBackfillCommand(
  env: Env,
  file: string | undefined,
  o: Record<string, unknown>,
): Promise<number> {
  const log = createLogger(env.LOG_LEVEL === "info" ? "warn" : env.LOG_LEVEL);
  if (!file && !o.resume && !o.verify) {
    throw new AppError("USAGE", "give a file, - for stdin, --resume <run> or --verify <run>");
  }
  if (o.verify && (o.resume || o.dryRun)) {
    throw new AppError(
      "USAGE",
      "--verify reads a run's input again on its own: not with --resume or --dry-run",
    );
  }
  await runMigrations(env.DATABASE_URL, log);
  const deps = await createDeps(env, log);
  const tty = Boolean(process.stderr.isTTY);
  // Field options given override the format's field names (the defaults, or the openai-chat preset).
  const fields: Partial<FieldMap> = {};
  for (const [field, option] of Object.entries(fieldOptions) as [keyof FieldMap, string][]) {
    if (typeof o[option] === "string") fields[field] = o[option];
  }
  const controller = new AbortController();
  let signals = 0;
  const onSignal = () => {
    signals += 1;
    if (signals > 1) process.exit(130);
    process.stderr.write(
      "\ninterrupted: finishing the current chunk and saving the checkpoint (Ctrl-C again to quit now)\n",
    );
    controller.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const options: BackfillOptions = {
    input: file ?? "",
    format: o.format as BackfillOptions["format"],
    fields,
    since: o.since as Date | undefined,
    until: o.until as Date | undefined,
    sampleRate: o.sampleRate as number | undefined,
    dryRun: Boolean(o.dryRun),
    resume: o.resume as string | undefined,
    chunkSize: o.chunk as number,
    maxWaiting: o.maxWaiting as number,
    maxRecordBytes: o.maxLineBytes as number,
    checkpointEvery: 50_000,
  };
  try {
    if (typeof o.verify === "string") {
      return await verifyCommand(deps, o.verify, file, options, controller.signal, tty);
    }
    const totalBytes = file && file !== "-" ? (await import("node:fs")).statSync(file).size : undefined;
    options.progress = createProgress({ tty, totalBytes });
    const result = await backfill(deps, options, controller.signal);
    printSummary(result, tty);
    if (result.status === "interrupted") return 130;
    return result.status === "failed" || result.status === "incomplete" ? 1 : 0;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await deps.close();
  }
}

/** `--verify <run>`: re-queues the run's sampled records whose events are missing. */
async function verifyCommand(
  deps: Deps,
  runId: string,
  file: string | undefined,
  options: BackfillOptions,
  signal: AbortSignal,
  tty: boolean,
): Promise<number> {
  const run = await loadRun(deps.db, runId);
  if (!run) throw new AppError("NOT_FOUND", `no backfill run ${runId}`);
  const input = file ?? run.source;
  const totalBytes = input !== "-" && existsSync(input) ? statSync(input).size : undefined;
  const r = await checkRun(deps, run, {
    requeue: true,
    input: file,
    chunkSize: options.chunkSize,
    maxRecordBytes: options.maxRecordBytes,
    progress: createProgress({ tty, totalBytes }),
    signal,
  });
  if (!tty) console.log(JSON.stringify({ event: "verify", ...r }));
  else {
    console.log(`verify ${r.runId}: ${r.status}`);
    console.log(
      `  read ${r.read}, sampled ${r.sampled}: ${r.present} stored or queued, ${r.missing} missing, ${r.requeued} queued again`,
    );
  }
  return r.status === "interrupted" ? 130 : 0;
}

export function printSummary(r: BackfillResult, tty: boolean) {
  if (!tty) {
    console.log(
      JSON.stringify({
        event: "summary",
        runId: r.runId ?? null,
        status: r.status,
        ...r.counters,
        seconds: r.seconds,
        badLines: r.badLines.slice(0, 100),
        ...(r.error ? { error: r.error } : {}),
        ...(r.missing !== undefined ? { missing: r.missing } : {}),
        ...(r.unchecked ? { unchecked: r.unchecked } : {}),
      }),
    );
  } else {
    const c = r.counters;
    console.log(`backfill ${r.runId ?? "(dry run)"}: ${r.status}`);
    console.log(
      `  read ${c.read}, sampled ${c.sampled}, queued ${c.enqueued}, duplicates ${c.duplicates}, skipped ${c.skipped}, filtered ${c.filtered}, bad ${c.bad}`,
    );
    if (r.badLines.length > 0) {
      const byReason = new Map<string, number[]>();
      for (const b of r.badLines) byReason.set(b.reason, [...(byReason.get(b.reason) ?? []), b.line]);
      for (const [reason, lines] of byReason) {
        console.log(
          `  bad (${reason}): line ${lines.slice(0, 20).join(", ")}${lines.length > 20 ? ", ..." : ""}`,
        );
      }
    }
    if (r.error) console.log(`  stopped: ${r.error}`);
    if (r.missing !== undefined) {
      console.log(`  missing ${r.missing}: sampled records of this run with neither an event nor a job`);
    }
  }
  if (r.runId && r.status === "incomplete") {
    console.error(
      `${r.missing} sampled records of this run never became events (Redis lost their jobs?). Re-queue them with: npx census backfill --verify ${r.runId}`,
    );
  }
  if (r.runId && r.unchecked === "stdin") {
    console.error(
      `missing events not counted: the input was stdin. Pipe it again to count and re-queue them: ... | npx census backfill - --verify ${r.runId}`,
    );
  }
  if (r.runId && (r.status === "interrupted" || r.status === "failed")) {
    console.error(`resume with: npx census backfill --resume ${r.runId}`);
  }
}
