import { spawn } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import type { Deps } from "../src/deps";
import type { Env } from "../src/env";
import { startWorker } from "../src/runtime";
import { refreshLag } from "../src/stats/refresh";
import { writesDeps } from "./writes-db";

// `census backfill` over a generated N-line NDJSON file: lines/s through parse + sample +
// enqueue, as a ratio to a bare readline + JSON.parse pass over the same file, and peak memory
// (VmHWM) of each process. Both run as child processes, one after the other.

const DIR = join(tmpdir(), "census-bench");

async function ensureFile(lines: number): Promise<string> {
  mkdirSync(DIR, { recursive: true });
  const file = join(DIR, `backfill-${lines}.ndjson`);
  if (existsSync(file) && statSync(file).size > lines * 100) return file;
  const out = createWriteStream(file);
  for (let i = 0; i < lines; i++) {
    const line = JSON.stringify({
      requestId: `bench-backfill-${i}`,
      model: i % 3 ? "anthropic/claude-sonnet-4.5" : "openai/gpt-5",
      createdAt: new Date(Date.UTC(2025, 5, 1) + (i % 8760) * 3_600_000).toISOString(),
      promptTokens: 100 + (i % 900),
      completionTokens: 50 + (i % 400),
      messages: [
        { role: "system", content: "You are a helpful assistant." },
        {
          role: "user",
          content: `Request ${i}: write a function that parses dates in several formats and explain the edge cases you handle.`,
        },
      ],
    });
    if (!out.write(`${line}\n`)) await new Promise<void>((r) => out.once("drain", () => r()));
  }
  await new Promise<void>((r) => out.end(() => r()));
  return file;
}

/** Runs a command, sampling its peak resident memory from /proc; resolves with seconds and MB. */
function measure(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ seconds: number; peakMb: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(cmd, args, { env, stdio: ["ignore", "pipe", "inherit"] });
    let stdout = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    let peakKb = 0;
    const timer = setInterval(() => {
      try {
        const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"))?.[1];
        if (hwm) peakKb = Math.max(peakKb, Number(hwm));
      } catch {}
    }, 50);
    child.once("error", reject);
    child.once("exit", (code) => {
      clearInterval(timer);
      if (code !== 0) return reject(new Error(`${cmd} ${args.join(" ")} exited with ${code}`));
      resolve({ seconds: (performance.now() - started) / 1000, peakMb: peakKb / 1024, stdout });
    });
  });
}

// Prints its lines and the seconds from opening the file to the last line, like the backfill's
// summary, so both rates leave process start-up out.
const BARE = `
const started = performance.now();
const rl = require("node:readline").createInterface({ input: require("node:fs").createReadStream(process.argv[1]), crlfDelay: Infinity });
let n = 0;
rl.on("line", (l) => { if (l) { JSON.parse(l); n++; } });
rl.on("close", () => console.log(JSON.stringify({ read: n, seconds: (performance.now() - started) / 1000 })));
`;

export async function benchBackfill(env: Env, lines: number) {
  console.log(`\n## backfill: ${lines.toLocaleString()}-line NDJSON through parse + sample + enqueue`);
  const file = await ensureFile(lines);
  const base = await measure("node", ["-e", BARE, file], process.env);
  const baseInside = JSON.parse(base.stdout) as { seconds: number };
  const baseRate = lines / baseInside.seconds;
  console.log(
    `baseline: readline + JSON.parse         ${Math.round(baseRate).toLocaleString().padStart(9)} lines/s  peak ${base.peakMb.toFixed(0)} MB  (process ${base.seconds.toFixed(1)} s)`,
  );
  const childEnv = {
    ...process.env,
    DATABASE_URL: env.DATABASE_URL,
    REDIS_URL: env.REDIS_URL,
    QUEUE_PREFIX: env.QUEUE_PREFIX,
    HMAC_SECRET: env.HMAC_SECRET,
    LOG_LEVEL: "warn",
  };
  const run = await measure("node", ["bin/census.js", "backfill", file], childEnv);
  const summary = JSON.parse(run.stdout.trim().split("\n").pop() ?? "{}") as Record<string, number>;
  const rate = lines / (summary.seconds ?? run.seconds);
  const ratio = rate / baseRate;
  const wallRatio = base.seconds / run.seconds;
  console.log(
    `census backfill (SAMPLE_RATE ${env.SAMPLE_RATE})      ${Math.round(rate).toLocaleString().padStart(9)} lines/s  peak ${run.peakMb.toFixed(0)} MB  (process ${run.seconds.toFixed(1)} s) | ${ratio.toFixed(2)}x baseline (${wallRatio.toFixed(2)}x counting start-up)`,
  );
  console.log(
    `  read ${summary.read}, sampled ${summary.sampled}, queued ${summary.enqueued}, bad ${summary.bad}; goals: ratio >= 0.5 ${ratio >= 0.5 ? "met" : "MISSED"}, peak < 250 MB ${run.peakMb < 250 ? "met" : "MISSED"} (process start included)`,
  );
}

/** `records` records of one day (30 days ago), their texts from a set of 50, over 5 models. */
async function ensureHotFile(records: number, prefix: string): Promise<string> {
  mkdirSync(DIR, { recursive: true });
  const file = join(DIR, `hot-${prefix}-${records}.ndjson`);
  if (existsSync(file)) return file;
  const day =
    Date.UTC(2026, 0, 1) + Math.floor((Date.now() - Date.UTC(2026, 0, 1)) / 86_400_000 - 30) * 86_400_000;
  const out = createWriteStream(file);
  for (let i = 0; i < records; i++) {
    const line = JSON.stringify({
      requestId: `hot-${prefix}-${i}`,
      model: ["openai/gpt-5", "anthropic/claude-sonnet-4.5", "google/gemini-2.5-pro", "meta/llama-4", "x/y"][
        i % 5
      ],
      createdAt: new Date(day + (i % 24) * 3_600_000).toISOString(),
      promptTokens: 100 + (i % 900),
      completionTokens: 50 + (i % 400),
      prompt: `Task ${i % 50}: write a function that parses dates in several formats and explain the edge cases you handle.`,
    });
    if (!out.write(`${line}\n`)) await new Promise<void>((r) => out.once("drain", () => r()));
  }
  await new Promise<void>((r) => out.end(() => r()));
  return file;
}

/** Rate of `n` completions at the start and at the end of a sorted list of completion times. */
function edgeRates(times: number[], n: number): { first: number; last: number } {
  const at = (i: number) => times[Math.max(0, Math.min(times.length - 1, i))] ?? 0;
  const k = Math.min(n, times.length - 1);
  return {
    first: k / ((at(k) - at(0)) / 1000),
    last: k / ((at(times.length - 1) - at(times.length - 1 - k)) / 1000),
  };
}

/**
 * A hot-cache `census backfill` end to end: the file's 50 texts are classified once (a warm-up
 * run of 500 records), then `records` records of one day go through backfill (a child process)
 * and one worker (this process) into a database of their own. Events/s from the backfill's start
 * to the last event, and the rate of the last 20,000 events against the first 20,000: the day
 * fills from empty to `records` and the rate must stay flat (issue 19, item 1).
 */
export async function benchHotBackfill(shared: Deps, records: number) {
  console.log(
    `\n## hot-cache backfill: ${records.toLocaleString()} records of one day, 50 distinct texts, one worker`,
  );
  const { deps, drop } = await writesDeps(shared.env);
  const childEnv = {
    ...process.env,
    DATABASE_URL: deps.env.DATABASE_URL,
    REDIS_URL: deps.env.REDIS_URL,
    QUEUE_PREFIX: deps.env.QUEUE_PREFIX,
    HMAC_SECRET: deps.env.HMAC_SECRET,
    LOG_LEVEL: "warn",
  };
  const count = async () =>
    Number((await deps.pool.query<{ n: string }>("SELECT count(*) AS n FROM prompt_events")).rows[0]?.n);
  const until = async (n: number) => {
    while ((await count()) < n) await new Promise((r) => setTimeout(r, 100));
  };
  const worker = await startWorker(deps);
  try {
    const warm = await ensureHotFile(500, "warm");
    await measure("node", ["bin/census.js", "backfill", warm, "--sample-rate", "1"], childEnv);
    await until(500);
    const times: number[] = [];
    worker.worker.on("completed", () => times.push(performance.now()));
    const file = await ensureHotFile(records, "main");
    const started = performance.now();
    const run = measure("node", ["bin/census.js", "backfill", file, "--sample-rate", "1"], childEnv);
    await until(500 + records);
    const seconds = ((times.at(-1) ?? performance.now()) - started) / 1000;
    await run;
    const lagAtEnd = await refreshLag(deps.pool);
    const { first, last } = edgeRates(times, 20_000);
    const rate = records / seconds;
    console.log(
      `end to end (backfill start -> last event)  ${Math.round(rate).toLocaleString().padStart(7)} events/s  (${seconds.toFixed(1)} s, process start-up included)  goal >= 1,000: ${rate >= 1000 ? "met" : "MISSED"}`,
    );
    console.log(
      `  first 20,000 events ${Math.round(first).toLocaleString()} events/s, last 20,000 ${Math.round(last).toLocaleString()} events/s: ${(last / first).toFixed(2)}x  goal >= 0.8x: ${last / first >= 0.8 ? "met" : "MISSED"}`,
    );
    const steps = Array.from({ length: Math.floor(times.length / 20_000) }, (_, i) => {
      const a = times[i * 20_000] ?? 0;
      const b = times[Math.min(times.length - 1, (i + 1) * 20_000)] ?? a;
      return Math.round(20_000 / ((b - a) / 1000)).toLocaleString();
    });
    console.log(
      `  events/s of each 20,000 in turn: ${steps.join(", ")}; first event ${(((times[0] ?? started) - started) / 1000).toFixed(1)} s after the backfill started; load average ${loadavg()
        .map((x) => x.toFixed(1))
        .join(" ")}`,
    );
    console.log(
      `  release refresh lag when the last event landed: ${lagAtEnd.seconds.toFixed(1)} s over ${lagAtEnd.partitions} partitions (REFRESH_INTERVAL_MS ${deps.env.REFRESH_INTERVAL_MS})`,
    );
  } finally {
    await worker.close();
    await drop();
  }
}
