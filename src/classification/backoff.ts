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

/**
 * Spread a per-minute quota evenly: `max` requests per `duration` ms. BullMQ starts a window at
 * the first job after the last one ended, and a window's calls go out together at its start, so
 * a sliding window can catch the start of one more window than it spans, and calls reach Google
 * with a few tens of ms of jitter: windows 2% longer than the quota's share keep every 10-second
 * (and every minute) window within `qpm`, for 2% of it.
 */
export function limiterFor(qpm: number): { max: number; duration: number } {
  const max = Math.max(1, Math.floor(qpm / 60));
  return { max, duration: Math.ceil(((60_000 * max) / qpm) * 1.02) };
}
