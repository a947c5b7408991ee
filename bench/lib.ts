import { readdirSync, readFileSync } from "node:fs";
import { PerformanceObserver } from "node:perf_hooks";
import type { ClassifyPayload } from "../src/queue/jobs";

// Tiny load helpers for `npm run bench`: fixed request counts, bounded concurrency, no wall-clock asserts.

export interface LoadResult {
  requests: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p95: number;
  p99: number;
  errors: number;
  /** Each request's latency, sorted: kept so rounds can be merged (interleaved()). */
  latencies?: number[];
}

export async function load(
  total: number,
  concurrency: number,
  call: (i: number) => Promise<boolean>,
): Promise<LoadResult> {
  const latencies: number[] = [];
  let next = 0;
  let errors = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++;
        const t = performance.now();
        const ok = await call(i).catch(() => false);
        latencies.push(performance.now() - t);
        if (!ok) errors++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return summary(total, seconds, latencies, errors);
}

function summary(requests: number, seconds: number, latencies: number[], errors: number): LoadResult {
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return {
    requests,
    seconds,
    perSecond: requests / seconds,
    p50: at(0.5),
    p95: at(0.95),
    p99: at(0.99),
    errors,
    latencies,
  };
}

/**
 * Runs a baseline and a candidate in alternating rounds and merges each side's rounds: on a shared
 * machine whose load drifts, a ratio of two runs minutes apart measures the drift, not the code.
 * Who goes first alternates (ABBA...): with the baseline always first, bare Hono against itself
 * measured 1.07x (median of 9 runs, 0.96-1.20x) at 16 in flight, a bias in the candidate's favour.
 * The third element is each round's ratio (candidate over baseline, the two run back to back).
 */
export async function interleaved(
  rounds: number,
  baseline: (round: number) => Promise<LoadResult>,
  candidate: (round: number) => Promise<LoadResult>,
): Promise<[LoadResult, LoadResult, number[]]> {
  const a: LoadResult[] = [];
  const b: LoadResult[] = [];
  for (let round = 0; round < rounds; round++) {
    if (round % 2 === 0) a.push(await baseline(round));
    b.push(await candidate(round));
    if (round % 2 === 1) a.push(await baseline(round));
  }
  const merge = (rs: LoadResult[]) =>
    summary(
      rs.reduce((n, r) => n + r.requests, 0),
      rs.reduce((n, r) => n + r.seconds, 0),
      rs.flatMap((r) => r.latencies ?? []),
      rs.reduce((n, r) => n + r.errors, 0),
    );
  const ratios = b.map((r, i) => r.perSecond / (a[i]?.perSecond ?? Number.NaN));
  return [merge(a), merge(b), ratios];
}

/** "median 0.70x (0.66-0.74x)" of a list of ratios. */
export function spread(ratios: readonly number[]): string {
  const sorted = [...ratios].sort((x, y) => x - y);
  const mid = sorted.length / 2;
  const median =
    sorted.length % 2 ? sorted[Math.floor(mid)] : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
  return `median ${median?.toFixed(2)}x (${sorted[0]?.toFixed(2)}-${sorted.at(-1)?.toFixed(2)}x)`;
}

export function row(name: string, r: LoadResult, baseline?: LoadResult, unit = "req/s") {
  const ratio = baseline ? ` | ${(r.perSecond / baseline.perSecond).toFixed(2)}x baseline` : "";
  console.log(
    `${name.padEnd(46)} ${r.perSecond.toFixed(0).padStart(7)} ${unit}  p50 ${r.p50.toFixed(1).padStart(6)} ms  p95 ${r.p95.toFixed(1).padStart(6)} ms  p99 ${r.p99
      .toFixed(1)
      .padStart(6)} ms  errors ${r.errors}${ratio}`,
  );
}

/** A live job's payload as ingest would build it, for benches that fill the queue directly. */
export function jobPayload(text: string, model: string): ClassifyPayload {
  return {
    text,
    chars: text.length,
    model,
    promptTokens: 10,
    completionTokens: 20,
    costUsd: null,
    observedHour: new Date().toISOString(),
    sampleRate: 1,
    source: "live",
    redacted: false,
    textFrom: "prompt",
  };
}

/**
 * CPU time so far, in ms: this process, and every redis-server and postgres process here; `gc` is
 * the part of this process's time V8 spent in garbage-collection pauses.
 */
export interface CpuTimes {
  self: number;
  gc: number;
  redis: number;
  postgres: number;
}

let gcMs = 0;
let gcObserver: PerformanceObserver | undefined;

/** GC pause time so far, in ms (observed from the first call on; entries arrive a turn late). */
function gcTime(): number {
  if (!gcObserver) {
    gcObserver = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) gcMs += entry.duration;
    });
    gcObserver.observe({ entryTypes: ["gc"] });
  }
  return gcMs;
}

const TICK_MS = 10; // Linux's USER_HZ is 100 on every common build

/** Sums utime + stime of the processes whose name starts with `name` (Linux /proc; 0 elsewhere). */
function processTicks(name: string): number {
  let ticks = 0;
  let dirs: string[] = [];
  try {
    dirs = readdirSync("/proc").filter((d) => /^\d+$/.test(d));
  } catch {
    return 0;
  }
  for (const pid of dirs) {
    try {
      if (!readFileSync(`/proc/${pid}/comm`, "utf8").startsWith(name)) continue;
      // fields after the command's closing parenthesis: utime and stime are the 12th and 13th
      const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // the process ended meanwhile
    }
  }
  return ticks;
}

export function cpuTimes(): CpuTimes {
  const { user, system } = process.cpuUsage();
  return {
    self: (user + system) / 1000,
    gc: gcTime(),
    redis: processTicks("redis-server") * TICK_MS,
    postgres: processTicks("postgres") * TICK_MS,
  };
}

/** Runs `work` and adds the CPU it took, in each process, to `into`. */
export async function withCpu<T>(into: CpuTimes, work: () => Promise<T>): Promise<T> {
  const before = cpuTimes();
  const result = await work();
  await new Promise((resolve) => setImmediate(resolve)); // the last GC entries are delivered
  const after = cpuTimes();
  into.self += after.self - before.self;
  into.gc += after.gc - before.gc;
  into.redis += after.redis - before.redis;
  into.postgres += after.postgres - before.postgres;
  return result;
}
