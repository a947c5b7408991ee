import type pg from "pg";
import { isDataError } from "../platform/errors";
import type { TaggedLabel } from "./labels";
import { type EventRow, type EventWrite, storeEvents } from "./store-event";

// The worker's writes, batched: a job hands its event to the writer and waits; the writer sends
// the events of many concurrent jobs in one statement (store-event.ts INSERT_EVENTS) and settles
// each job's promise once its row is committed. Per job that saves a round trip, a commit (a WAL
// flush) and a run of the statement-level rollup triggers, which cost about as much for 100 rows
// as for one.
//
// When to flush: at once when no flush is in flight (an idle worker adds no latency); otherwise the
// rows gather while the flush in flight runs (group commit) and go when it ends. One flush at a
// time by default: two at once wait on each other's rollup rows (the day's usage row, the model's
// category row) anyway, in smaller batches; measured on the hot-cache backfill bench, 1 in flight
// drained ~1,000 events/s where 2 drained ~510-640.

export interface EventWriterOptions {
  /** Rows per statement at most. */
  maxRows?: number;
  /** How long a row waits for a batch while other flushes are in flight. */
  maxWaitMs?: number;
  /** Statements in flight at once (pool connections this writer may hold); 1 by default. */
  maxInFlight?: number;
  /** Told each flush's size: metrics and tests. */
  onFlush?: (rows: number) => void;
}

interface Pending extends EventWrite {
  resolve(inserted: boolean): void;
  reject(err: unknown): void;
}

export interface EventWriter {
  /** Resolves once the event is committed: true if inserted, false if its id was there already. */
  write(event: EventRow, labels: readonly TaggedLabel[]): Promise<boolean>;
  /** Flushes what is waiting and resolves when every write has settled. */
  close(): Promise<void>;
}

export function createEventWriter(pool: Pick<pg.Pool, "query">, o: EventWriterOptions = {}): EventWriter {
  const maxRows = o.maxRows ?? 500;
  const maxWaitMs = o.maxWaitMs ?? 5;
  const maxInFlight = o.maxInFlight ?? 1;
  let pending: Pending[] = [];
  let inFlight = 0;
  let timer: NodeJS.Timeout | undefined;
  const settled = new Set<Promise<void>>();

  /** One batch: one statement; a data error sends its rows one by one, to fail only the bad one. */
  async function flush(batch: Pending[]): Promise<void> {
    o.onFlush?.(batch.length);
    try {
      const inserted = await storeEvents(pool, batch);
      for (const p of batch) p.resolve(inserted.has(p.event.id));
    } catch (err) {
      if (batch.length === 1 || !isDataError(err)) {
        // a lost connection, a deadlock, a timeout: every job of the batch retries (the
        // processor holds the queue or backs off, as for a single write)
        for (const p of batch) p.reject(err);
        return;
      }
      for (const p of batch) await flush([p]);
    }
  }

  function kick(): void {
    if (timer) clearTimeout(timer);
    timer = undefined;
    while (inFlight < maxInFlight && pending.length > 0) {
      const batch = pending.slice(0, maxRows);
      pending = pending.slice(batch.length);
      inFlight += 1;
      const done: Promise<void> = flush(batch).finally(() => {
        inFlight -= 1;
        settled.delete(done);
        if (pending.length > 0) kick();
      });
      settled.add(done);
    }
  }

  return {
    write(event, labels) {
      return new Promise<boolean>((resolve, reject) => {
        pending.push({ event, labels, resolve, reject });
        if (inFlight === 0 || pending.length >= maxRows) kick();
        else timer ??= setTimeout(kick, maxWaitMs);
      });
    },
    async close() {
      while (pending.length > 0 || settled.size > 0) {
        kick();
        await Promise.all([...settled]);
      }
    },
  };
}
