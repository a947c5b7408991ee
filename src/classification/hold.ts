import { backoffDelay } from "./backoff";

export interface HoldOptions {
  baseMs: number;
  maxMs: number;
  now?: () => number;
  random?: () => number;
}

/**
 * A queue-wide hold (Google quota, Postgres down) with exponential backoff counted in bursts.
 * Calls run in parallel, so one exhausted quota answers several in-flight calls with 429 at
 * once: those began before the streak last rose, belong to the burst that raised it, and must
 * not raise it again (ten parallel 429s once held the queue for a minute). A success resets the
 * streak only if it began after the last rise: a call that succeeded just before the quota ran
 * out says nothing about the quota now.
 */
export function createHold(o: HoldOptions) {
  const now = o.now ?? Date.now;
  let streak = 0;
  let raisedAt = Number.NEGATIVE_INFINITY;
  return {
    /** A call begun at `startedAt` met the condition: the hold to apply now, or 0 if its burst holds already. */
    failed(startedAt: number): number {
      if (startedAt <= raisedAt) return 0;
      streak += 1;
      raisedAt = now();
      return backoffDelay(streak, o.baseMs, o.maxMs, o.random);
    },
    succeeded(startedAt: number): void {
      if (startedAt > raisedAt) streak = 0;
    },
    get streak() {
      return streak;
    },
  };
}

export type Hold = ReturnType<typeof createHold>;
