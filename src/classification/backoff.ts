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
