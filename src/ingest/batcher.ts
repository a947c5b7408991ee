// Smart batching: one flush at a time, and each flush takes everything submitted while the one
// before it ran. Idle, a submission flushes at once (no timer, no added latency); under load the
// submissions that arrive during one round trip share the next, so round trips per request fall
// as the load rises instead of the load waiting on them.

interface Submission<T, R> {
  items: readonly T[];
  resolve(results: R[]): void;
  reject(err: unknown): void;
}

/**
 * `flush` gets the items of whole submissions, in order (at least one submission, then more while
 * they fit in `maxItems`), and answers one result per item; each submitter gets its own items'
 * results, or the flush's error.
 */
export function createBatcher<T, R>(
  flush: (items: T[]) => Promise<R[]>,
  maxItems = Number.POSITIVE_INFINITY,
): (items: readonly T[]) => Promise<R[]> {
  const waiting: Submission<T, R>[] = [];
  let running = false;

  function take(): Submission<T, R>[] {
    let n = 1;
    let count = waiting[0]?.items.length ?? 0;
    for (; n < waiting.length; n++) {
      count += waiting[n]?.items.length ?? 0;
      if (count > maxItems) break;
    }
    return waiting.splice(0, n);
  }

  async function drain() {
    running = true;
    while (waiting.length > 0) {
      const batch = take();
      try {
        const results = await flush(batch.flatMap((s) => s.items));
        let at = 0;
        for (const s of batch) {
          s.resolve(results.slice(at, at + s.items.length));
          at += s.items.length;
        }
      } catch (err) {
        for (const s of batch) s.reject(err);
      }
    }
    running = false;
  }

  return (items) =>
    new Promise<R[]>((resolve, reject) => {
      waiting.push({ items, resolve, reject });
      if (!running) void drain();
    });
}
