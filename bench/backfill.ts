import { spawn } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Env } from "../src/env";

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
