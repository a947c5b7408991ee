import { existsSync, statSync } from "node:fs";
import { type Command, Option } from "commander";
import { z } from "zod";
import type { FieldMap } from "../backfill/fields";
import type { BackfillOptions } from "../backfill/run";
import type { Deps } from "../deps";
import { AppError } from "../platform/errors";
import { isoTime, numberIn, parseOptions, positiveInt } from "./options";
import { withServices } from "./services";

// `census backfill`: options, signals, progress and the summary; the run itself is src/backfill/.

/** Field options, by the field they name. */
const fieldFlags = {
  requestId: ["--id-field <path>", "request id field (dotted paths reach into objects) (default: requestId)"],
  prompt: ["--prompt-field <path>", "prompt text field (default: prompt)"],
  messages: ["--messages-field <path>", "OpenAI-style messages field (default: messages)"],
  model: ["--model-field <path>", "model field (default: model)"],
  createdAt: [
    "--created-at-field <path>",
    "request time field (ISO, or Unix seconds/ms) (default: createdAt)",
  ],
  promptTokens: ["--prompt-tokens-field <path>", "prompt token count field (default: promptTokens)"],
  completionTokens: [
    "--completion-tokens-field <path>",
    "completion token count field (default: completionTokens)",
  ],
  costUsd: ["--cost-field <path>", "cost (USD) field (default: costUsd)"],
} as const satisfies Record<keyof FieldMap, readonly [string, string]>;

/** `--created-at-field` -> `createdAtField`: the key commander gives the option. */
const keyOf = (flags: string) =>
  (flags.split(" ")[0] ?? "").slice(2).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

// loose: the field options (--id-field, ...) pass through as they are, read by fieldFlags below
const schema = z.looseObject({
  format: z.enum(["auto", "ndjson", "json", "csv", "openai-chat"]),
  since: isoTime().optional(),
  until: isoTime().optional(),
  sampleRate: numberIn(0.000001, 1).optional(),
  dryRun: z.boolean().default(false),
  resume: z.string().optional(),
  verify: z.string().optional(),
  chunk: positiveInt(),
  maxWaiting: positiveInt(),
  maxLineBytes: positiveInt(),
});

type Parsed = z.infer<typeof schema>;

export function backfill(program: Command) {
  const command = program
    .command("backfill [file]")
    .description(
      "send historical prompt logs (NDJSON, JSON array or CSV; plain or gzip; a file or - for stdin) through the live path",
    )
    .addOption(
      new Option("--format <format>", "input format")
        .choices(["auto", "ndjson", "json", "csv", "openai-chat"])
        .default("auto"),
    );
  for (const [flags, help] of Object.values(fieldFlags)) command.option(flags, help);
  command
    .option("--since <time>", "only requests at or after this time")
    .option("--until <time>", "only requests before this time")
    .option("--sample-rate <rate>", "sampling rate instead of SAMPLE_RATE")
    .option("--dry-run", "count what would be sent; queue nothing, record no run")
    .option(
      "--resume <run>",
      "continue a run from its checkpoint (the file may be omitted: its path was recorded); at the end, counts sampled records whose events are missing",
    )
    .option(
      "--verify <run>",
      "read a run's input again and re-queue every sampled record whose event is missing (after Redis lost data); the file may be omitted, stdin must be piped again with -",
    )
    .addOption(new Option("--chunk <n>", "sampled prompts per enqueue").default(500))
    .addOption(
      new Option("--max-waiting <n>", "pause while the queue holds more waiting jobs than this").default(
        20_000,
      ),
    )
    .addOption(new Option("--max-line-bytes <n>", "longer records are bad lines").default(1024 * 1024))
    .action(async (file: string | undefined, raw: unknown) => {
      const o = parseOptions(schema, raw);
      if (!file && !o.resume && !o.verify) {
        throw new AppError("USAGE", "give a file, - for stdin, --resume <run> or --verify <run>");
      }
      if (o.verify && (o.resume || o.dryRun)) {
        throw new AppError(
          "USAGE",
          "--verify reads a run's input again on its own: not with --resume or --dry-run",
        );
      }
      process.exitCode = await withServices({ migrations: true, deps: true }, ({ deps }) =>
        whileInterruptible((signal) => runBackfill(deps, file, o, signal)),
      );
    });
}

/** Ctrl-C (or SIGTERM) asks the run to stop at a checkpoint; a second one quits at once. */
async function whileInterruptible<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
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
  try {
    return await fn(controller.signal);
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

const sizeOf = (input: string | undefined) =>
  input && input !== "-" && existsSync(input) ? statSync(input).size : undefined;

/** Runs, resumes or verifies; returns the exit code. */
async function runBackfill(deps: Deps, file: string | undefined, o: Parsed, signal: AbortSignal) {
  const { createProgress } = await import("../backfill/progress");
  const { printSummary, printVerify } = await import("../backfill/summary");
  const tty = Boolean(process.stderr.isTTY);
  if (o.verify) {
    const { loadRun } = await import("../backfill/runs");
    const { checkRun } = await import("../backfill/verify");
    const run = await loadRun(deps.db, o.verify);
    if (!run) throw new AppError("NOT_FOUND", `no backfill run ${o.verify}`);
    const progress = createProgress({ tty, totalBytes: sizeOf(file ?? run.source) });
    const r = await checkRun(deps, run, {
      requeue: true,
      input: file,
      chunkSize: o.chunk,
      maxRecordBytes: o.maxLineBytes,
      progress,
      signal,
    });
    printVerify(r, tty);
    return r.status === "interrupted" ? 130 : 0;
  }
  // Field options given override the format's field names (the defaults, or the openai-chat preset).
  const fields: Partial<FieldMap> = {};
  for (const [field, [flags]] of Object.entries(fieldFlags) as [
    keyof FieldMap,
    readonly [string, string],
  ][]) {
    const value = o[keyOf(flags)];
    if (typeof value === "string") fields[field] = value;
  }
  const options: BackfillOptions = {
    input: file ?? "",
    format: o.format,
    fields,
    since: o.since,
    until: o.until,
    sampleRate: o.sampleRate,
    dryRun: o.dryRun,
    resume: o.resume,
    chunkSize: o.chunk,
    maxWaiting: o.maxWaiting,
    maxRecordBytes: o.maxLineBytes,
    checkpointEvery: 50_000,
    progress: createProgress({ tty, totalBytes: file ? sizeOf(file) : undefined }),
  };
  const { backfill: run } = await import("../backfill/run");
  const result = await run(deps, options, signal);
  printSummary(result, tty);
  if (result.status === "interrupted") return 130;
  return result.status === "failed" || result.status === "incomplete" ? 1 : 0;
}
