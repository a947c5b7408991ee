import { readdirSync, readFileSync } from "node:fs";

// Waits that hold on a loaded machine. A wall-clock budget for a whole drain or start-up fails on
// a 2-core machine with other work running, where the same work only goes slower; so a wait for
// work watches a measure of it (events stored, jobs left, a child's output and CPU time) and fails
// only when that measure has stood still for `stallMs`. A drain that stopped still fails, within
// its stall window. (No fixed sleeps: each poll looks at the state it needs.)

export interface ProgressOptions {
  /** How long the measure may stay unchanged before the wait fails (default 30 s). */
  stallMs?: number;
  /** How often to measure (default 25 ms, as waitFor). */
  everyMs?: number;
  /** What is awaited, for the error message. */
  what?: string;
}

/** When a measure last changed: the state of one progress wait. */
export interface Watch {
  key: string;
  changedAt: number;
}

/** The watch after a measure `key` was seen at `now`: its clock restarts when the key changed. */
export function observe(watch: Watch | undefined, key: string, now: number): Watch {
  return watch?.key === key ? watch : { key, changedAt: now };
}

/** Has the measure stood still for longer than `stallMs`? */
export function stalled(watch: Watch, now: number, stallMs: number): boolean {
  return now - watch.changedAt > stallMs;
}

/**
 * Measures until `isDone(value)` holds and returns that value; throws when the measure (compared
 * as JSON) has not changed for `stallMs`. A count that overshoots never becomes done: it fails on
 * the stall, with the value it stood at.
 */
export async function waitForProgress<T>(
  measure: () => Promise<T> | T,
  isDone: (value: T) => boolean,
  o: ProgressOptions = {},
): Promise<T> {
  const { stallMs = 30_000, everyMs = 25, what = "condition" } = o;
  let watch: Watch | undefined;
  for (;;) {
    const value = await measure();
    if (isDone(value)) return value;
    const now = Date.now();
    watch = observe(watch, JSON.stringify(value) ?? "undefined", now);
    if (stalled(watch, now, stallMs)) {
      throw new Error(`${what}: no progress for ${stallMs} ms (stuck at ${watch.key.slice(0, 500)})`);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Waits for a count to reach `n` exactly, for as long as it keeps moving. */
export function waitForCount(
  count: () => Promise<number> | number,
  n: number,
  o: ProgressOptions = {},
): Promise<number> {
  return waitForProgress(count, (c) => c === n, { what: `a count reaching ${n}`, ...o });
}

/**
 * CPU time (clock ticks) the live processes of process group `pgid` have used, from /proc; 0
 * where there is no /proc. A command that is starting uses CPU before it prints anything: this is
 * its progress while its output is silent.
 */
export function groupCpuTicks(pgid: number): number {
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((name) => /^\d+$/.test(name));
  } catch {
    return 0;
  }
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      // the fields after "(comm) ": state ppid pgrp ... utime (14th field) stime (15th)
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) === pgid) ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // the process ended while we read
    }
  }
  return ticks;
}

/**
 * The vitest timeout of a long test whose waits all watch progress. It only stops a hang that no
 * wait sees (those fail on a stall first), so it allows for a heavily loaded machine.
 */
export const BACKSTOP_MS = 600_000;

/**
 * A gate that lets `width` calls run at once. A test that starts dozens of processes together on a
 * 2-core machine only makes each of them (and every other test) slower.
 */
export function limitConcurrency(width: number) {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async <T>(fn: () => Promise<T>): Promise<T> => {
    while (active >= width) await new Promise<void>((resolve) => waiting.push(resolve));
    active += 1;
    try {
      return await fn();
    } finally {
      active -= 1;
      waiting.shift()?.();
    }
  };
}
