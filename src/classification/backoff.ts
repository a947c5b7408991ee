/**
 * Exponential backoff with "equal jitter": half the window fixed, half random. The fixed half keeps
 * a minimum spacing; the random half spreads workers that failed together (Google's SLA asks for
 * exponential backoff, 1 s to 32 s).
 */
export function backoffDelay(
  attempt: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const window = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(window / 2 + random() * (window / 2));
}

/** Spread a per-minute quota evenly: `max` requests per `duration` ms, never above `qpm`. */
export function limiterFor(qpm: number): { max: number; duration: number } {
  const max = Math.max(1, Math.floor(qpm / 60));
  return { max, duration: Math.ceil((60_000 * max) / qpm) };
}
