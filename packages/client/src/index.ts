// @prompt-census/client: what a router runs to send its sample. No dependency beyond `fetch`.
//
// `record()` never waits for the network and never throws: it checks the item against the
// service's limits (a bad item is refused there and counted), samples at the edge (unsampled
// prompts never leave the router), queues, and returns. A background loop sends batches (by
// count, bytes and time), retries 429, 503, other 5xx and network errors with exponential
// backoff and jitter (honouring Retry-After) for up to `retryForMs`, and keeps memory bounded:
// when `maxQueued` items wait, the oldest is dropped and counted. Every item ends as sent or as
// a counted drop, never silently, and one refused item never takes a valid neighbour with it.

import { problemsOf, rejectedOf, retryAfterMs } from "./answers.js";
import { checkItem } from "./check.js";
import type { CensusItem } from "./items.js";

export { rejectedOf, retryAfterMs } from "./answers.js";
export { checkItem, LIMITS } from "./check.js";
export { type CensusItem, itemFromChat, itemFromPrompt } from "./items.js";

export type DropReason = "queue_full" | "rejected" | "retries_exhausted" | "closed";

export interface CensusClientStats {
  recorded: number;
  sampledOut: number;
  queued: number;
  sent: number;
  batches: number;
  retries: number;
  dropped: Record<DropReason, number>;
}

export interface CensusClientOptions {
  /** The service's base URL, e.g. https://census.internal:8080 */
  url: string;
  /** An API key with the `ingest` scope. */
  key: string;
  /** Share of requests to send (0-1]; sent with each item so the service weights by it. */
  sampleRate?: number;
  /** Items per POST (the service takes up to 1,000). */
  batchSize?: number;
  /** Bytes of JSON per POST, under the service's 5 MB cap. */
  maxBatchBytes?: number;
  /** The longest an item waits before its batch goes out. */
  flushIntervalMs?: number;
  /** Items held at most, in flight included; past it the oldest are dropped. */
  maxQueued?: number;
  /** How long a batch is retried before it is dropped. */
  retryForMs?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Per request. */
  timeoutMs?: number;
  fetch?: typeof fetch;
  /** Called for every failed POST and every drop; must not throw. */
  onError?: (error: Error, info: ErrorInfo) => void;
}

export interface ErrorInfo {
  items: number;
  willRetry: boolean;
  reason?: DropReason;
  /** For a refused item: what is wrong with it, as `field: reason` lines. */
  problems?: string[];
  /** For a refused item: its requestId, so the router can find it in its own logs. */
  requestId?: string;
}

const MAX_BATCH_ITEMS = 1000;

/** FNV-1a of the request id in [0, 1): a retried request is sampled as the first one was. */
export function sampleFraction(requestId: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < requestId.length; i++) {
    h ^= requestId.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h / 2 ** 32;
}

interface Queued {
  item: CensusItem;
  bytes: number;
}

export function createCensusClient(options: CensusClientOptions) {
  const o = {
    sampleRate: 1,
    batchSize: 500,
    maxBatchBytes: 4 * 1024 * 1024,
    flushIntervalMs: 1000,
    maxQueued: 10_000,
    retryForMs: 10 * 60_000,
    retryBaseMs: 500,
    retryMaxMs: 30_000,
    timeoutMs: 10_000,
    ...options,
  };
  if (!(o.sampleRate > 0 && o.sampleRate <= 1)) throw new Error("sampleRate must be in (0, 1]");
  const batchSize = Math.min(Math.max(1, o.batchSize), MAX_BATCH_ITEMS);
  const maxQueued = Math.max(o.maxQueued, batchSize);
  const doFetch = o.fetch ?? globalThis.fetch;
  const endpoint = `${o.url.replace(/\/+$/, "")}/v1/prompts`;

  const queue: Queued[] = [];
  let inFlight: Queued[] = [];
  let sending: Promise<void> | undefined;
  let closed = false;
  // set when close() gave up on what was left and counted it: a late answer counts nothing more
  let abandoned = false;
  const closing = new AbortController();
  let wake: (() => void) | undefined; // ends a backoff early on close()
  const stats: CensusClientStats = {
    recorded: 0,
    sampledOut: 0,
    queued: 0,
    sent: 0,
    batches: 0,
    retries: 0,
    dropped: { queue_full: 0, rejected: 0, retries_exhausted: 0, closed: 0 },
  };

  const report = (error: Error, info: ErrorInfo) => {
    try {
      o.onError?.(error, info);
    } catch {
      // a hook's failure must not reach the router's request path
    }
  };
  const drop = (n: number, reason: DropReason, error: Error, detail: Partial<ErrorInfo> = {}) => {
    stats.dropped[reason] += n;
    report(error, { items: n, willRetry: false, reason, ...detail });
  };
  const refuse = (item: CensusItem, problems: string[], by: string) =>
    drop(1, "rejected", new Error(`${by} refused item ${item.requestId}: ${problems[0]}`), {
      problems,
      requestId: item.requestId,
    });

  const timer = setInterval(() => {
    if (queue.length > 0) kick();
  }, o.flushIntervalMs);
  (timer as { unref?: () => void }).unref?.();

  function kick() {
    sending ??= sendAll().finally(() => {
      sending = undefined;
      if (queue.length >= batchSize && !closed) kick();
    });
  }

  function takeBatch(): Queued[] {
    let bytes = 2;
    let n = 0;
    while (n < queue.length && n < batchSize) {
      const next = (queue[n] as Queued).bytes + 1;
      if (n > 0 && bytes + next > o.maxBatchBytes) break;
      bytes += next;
      n++;
    }
    return queue.splice(0, n);
  }

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      (t as { unref?: () => void }).unref?.(); // a retrying client never keeps the router's process alive
      wake = () => {
        clearTimeout(t);
        resolve();
      };
    });

  async function post(batch: Queued[]): Promise<Response> {
    const controller = new AbortController();
    const t = setTimeout(() => controller.abort(), o.timeoutMs);
    const abort = () => controller.abort();
    closing.signal.addEventListener("abort", abort);
    try {
      return await doFetch(endpoint, {
        method: "POST",
        headers: { authorization: `Bearer ${o.key}`, "content-type": "application/json" },
        body: `{"prompts":[${batch.map((q) => JSON.stringify(q.item)).join(",")}]}`,
        signal: controller.signal,
      });
    } finally {
      clearTimeout(t);
      closing.signal.removeEventListener("abort", abort);
    }
  }

  /** A 202: every item sent, less those the service refused one by one (`rejected`). */
  function accepted(batch: Queued[], answer: string) {
    const rejected = rejectedOf(answer, batch.length);
    stats.sent += batch.length - rejected.length;
    stats.batches += 1;
    for (const r of rejected) refuse((batch[r.index] as Queued).item, r.problems, "prompt-census");
  }

  async function sendAll(): Promise<void> {
    while (queue.length > 0 && !abandoned) {
      inFlight = takeBatch();
      await sendBatch(inFlight);
      inFlight = [];
    }
  }

  async function sendBatch(batch: Queued[]): Promise<void> {
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      let wait: number | undefined;
      let error: Error;
      try {
        const res = await post(batch);
        // read it whole: the connection is reused (and a 202 names the items it refused)
        const answer = await res.text().catch(() => "");
        if (abandoned) return;
        if (res.status === 202) return accepted(batch, answer);
        error = new Error(`prompt-census answered ${res.status}`);
        // Too big after all (413), or refused whole (400: a service from before per-item answers,
        // or an item the local check let by): send it in halves, so only a bad item is dropped.
        if ((res.status === 413 || res.status === 400) && batch.length > 1) {
          const half = Math.ceil(batch.length / 2);
          await sendBatch(batch.slice(0, half));
          await sendBatch(batch.slice(half));
          return;
        }
        if (res.status === 400) return refuse((batch[0] as Queued).item, problemsOf(answer), "prompt-census");
        const retryable = res.status === 408 || res.status === 429 || res.status >= 500;
        if (!retryable) return drop(batch.length, "rejected", error);
        wait = retryAfterMs(res.headers.get("retry-after"));
      } catch (err) {
        error = err instanceof Error ? err : new Error(String(err)); // network, timeout
      }
      if (abandoned) return;
      const backoff = Math.min(o.retryMaxMs, o.retryBaseMs * 2 ** attempt) * (0.5 + Math.random() / 2);
      const delay = Math.max(backoff, wait ?? 0);
      if (closed || Date.now() - started + delay > o.retryForMs) {
        return drop(batch.length, closed ? "closed" : "retries_exhausted", error);
      }
      stats.retries += 1;
      report(error, { items: batch.length, willRetry: true });
      await sleep(delay);
    }
  }

  return {
    /** Queues an item if it is in the sample; returns at once. True when it was queued. */
    record(item: CensusItem): boolean {
      stats.recorded += 1;
      if (closed) {
        drop(1, "closed", new Error("client closed"));
        return false;
      }
      if (o.sampleRate < 1 && sampleFraction(item.requestId) >= o.sampleRate) {
        stats.sampledOut += 1;
        return false;
      }
      const withRate = { ...item, sampleRate: item.sampleRate ?? o.sampleRate };
      const problems = checkItem(withRate);
      if (problems.length > 0) {
        refuse(withRate, problems, "the client");
        return false;
      }
      queue.push({ item: withRate, bytes: JSON.stringify(withRate).length });
      stats.queued += 1;
      while (queue.length > 0 && queue.length + inFlight.length > maxQueued) {
        queue.shift();
        drop(1, "queue_full", new Error("queue full: dropped the oldest item"));
      }
      if (queue.length >= batchSize) queueMicrotask(kick);
      return true;
    },
    /** Sends everything queued now; resolves when it was sent or dropped. */
    async flush(): Promise<void> {
      while (queue.length > 0 || sending) {
        if (!sending) kick();
        await sending;
      }
    },
    /**
     * Stops the timer and flushes for up to `timeoutMs`; what is still queued or in flight then
     * is dropped and counted as closed, and its request aborted. Never waits longer.
     */
    async close(timeoutMs = 5000): Promise<void> {
      clearInterval(timer);
      let t: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([this.flush(), new Promise<void>((r) => (t = setTimeout(r, timeoutMs)))]);
      clearTimeout(t);
      closed = true;
      abandoned = true;
      const left = queue.splice(0).length + inFlight.length;
      inFlight = [];
      if (left > 0) drop(left, "closed", new Error("client closed with items unsent"));
      closing.abort();
      wake?.();
    },
    /** Counters, for the router's own metrics. */
    stats(): CensusClientStats {
      return { ...stats, dropped: { ...stats.dropped } };
    },
    /** Items waiting or in flight now. */
    pending(): number {
      return queue.length + inFlight.length;
    },
  };
}

export type CensusClient = ReturnType<typeof createCensusClient>;
