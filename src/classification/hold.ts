import { backoffDelay } from "./backoff";

export interface HoldOptions {
  baseMs: number;
  maxMs: number;
  now?: () => number;
  random?: () => number;
}

/**
 * A queue-wide hold (Google quota or reachability, Postgres down) with exponential backoff
 * counted in bursts. A burst is the calls begun between two rises of the streak: they ran
 * together, so one exhausted quota answers several of them with 429 at once, and those must
 * not raise it again (ten parallel 429s once held the queue for a minute). The streak counts
 * bursts in a row in which nothing succeeded: one success among a burst's calls shows the
 * service answering (a quota at its edge, a storm of partial refusals), so the streak starts
 * over and the next hold is short again. A success begun before that burst is old news.
 */
export function createHold(o: HoldOptions) {
  const now = o.now ?? Date.now;
  let streak = 0;
  let raisedAt = Number.NEGATIVE_INFINITY;
  let previousRaise = Number.NEGATIVE_INFINITY;
  return {
    /** A call begun at `startedAt` met the condition: the hold to apply now, or 0 if its burst holds already. */
    failed(startedAt: number): number {
      if (startedAt <= raisedAt) return 0;
      streak += 1;
      previousRaise = raisedAt;
      raisedAt = now();
      return backoffDelay(streak, o.baseMs, o.maxMs, o.random);
    },
    succeeded(startedAt: number): void {
      if (startedAt > previousRaise) streak = 0;
    },
    get streak() {
      return streak;
    },
  };
}

export type Hold = ReturnType<typeof createHold>;
