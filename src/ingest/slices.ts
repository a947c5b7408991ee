import { setImmediate } from "node:timers/promises";

// Big batches are planned in slices: a 5 MB batch of 1,000 prompts is up to a second of CPU
// (redaction is bounded per item, not per batch), and one block of that froze the API's health
// probes and the worker's lock renewals in the same process.

/** How long work runs before the event loop gets a turn. */
export const SLICE_MS = 5;

export interface SliceOptions {
  sliceMs?: number;
  /**
   * When the caller's synchronous work began (performance.now()): the first slice counts from
   * there, so a caller that did little before needs no pause first. Without it, a pause comes
   * before the first item (the caller may have just parsed a big batch).
   */
  since?: number;
  now?: () => number;
  /** Gives the event loop its turn (timers, sockets) and resolves after it. */
  pause?: () => Promise<unknown>;
}

/**
 * Calls `fn` on each item in order, in slices of `sliceMs` or a little more: a pause whenever a
 * slice has run its time, the first counted from `since`.
 */
export async function eachInSlices<T>(
  items: Iterable<T>,
  fn: (item: T) => void,
  {
    sliceMs = SLICE_MS,
    since = Number.NEGATIVE_INFINITY,
    now = () => performance.now(),
    pause = () => setImmediate(),
  }: SliceOptions = {},
): Promise<void> {
  let started = since;
  for (const item of items) {
    if (now() - started >= sliceMs) {
      await pause();
      started = now();
    }
    fn(item);
  }
}
