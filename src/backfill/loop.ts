import type { Db } from "../db/client";
import type { PromptItem } from "../ingest/schema";
import { type IngestDeps, ingestPrompts } from "../ingest/service";
import { AppError } from "../platform/errors";
import { type PickSettings, pickRecord } from "./pick";
import type { Progress } from "./progress";
import type { RecordEvent } from "./records";
import { type BadLine, type Checkpoint, checkpoint, emptyCounters, type Run } from "./runs";
import type { OpenedSource } from "./source";

/** What a backfill uses: the live ingest path, and the database for its run's checkpoints. */
export interface BackfillDeps {
  db: Db;
  ingest: IngestDeps;
}

export interface LoopOptions {
  dryRun: boolean;
  /** Sampled items per addBulk. */
  chunkSize: number;
  /** Pause while the queue holds more waiting jobs than this. */
  maxWaiting: number;
  /** Checkpoint at least this often (records), even when nothing was sampled. */
  checkpointEvery: number;
  /** For tests: stop as if interrupted after this many records. */
  stopAfter?: number | undefined;
}

const MAX_BAD_LINES_KEPT = 1000;
const CHECKPOINT_EVERY_MS = 5000;

/** Where a run starts: its last checkpoint, or nothing read. */
function startingPoint(run: Run | undefined): Checkpoint {
  if (!run) return { records: 0, byteOffset: null, counters: emptyCounters(), badLines: [] };
  return {
    records: Number(run.records),
    byteOffset: run.byteOffset === null ? null : Number(run.byteOffset),
    counters: { ...emptyCounters(), ...(run.counters as object) },
    badLines: [...(run.badLines as BadLine[])],
  };
}

function noteBad(state: Checkpoint, line: number, reason: string) {
  state.counters.bad += 1;
  if (state.badLines.length < MAX_BAD_LINES_KEPT) state.badLines.push({ line, reason });
}

export type Loop = ReturnType<typeof createLoop>;

/**
 * A run's loop state: the live counters, the sampled chunk waiting to be queued, the position
 * read, and what the database holds. Queueing a chunk and saving the position together are the
 * checkpoint (`flush`); a resume starts from the last one.
 */
export function createLoop(
  deps: BackfillDeps,
  run: Run | undefined,
  opened: OpenedSource,
  pick: PickSettings,
  o: LoopOptions,
  progress: Progress,
  signal?: AbortSignal,
) {
  const state = startingPoint(run);
  const counters = state.counters;
  // What the database holds: position and counters of the last checkpoint, together. A failure
  // re-saves this, not the live counters, which have already counted records past the position
  // (a resume reads those again and would count them twice).
  let durable: Checkpoint = structuredClone(state);
  let chunk: PromptItem[] = [];
  let position = { records: state.records, byteOffset: state.byteOffset };
  let sinceCheckpoint = 0;
  let lastCheckpoint = Date.now();
  // only plain NDJSON can be re-entered by seeking; anything else resumes by skipping records
  let resolvedFormat: string | undefined;
  let seekable = !opened.gzip;

  const save = async (status: Run["status"] = "running", error?: string) => {
    if (!run) return;
    state.records = position.records;
    state.byteOffset = seekable ? position.byteOffset : null;
    await checkpoint(deps.db, run.id, state, status, error, resolvedFormat);
    durable = structuredClone(state);
    sinceCheckpoint = 0;
    lastCheckpoint = Date.now();
  };

  const waitForRoom = async () => {
    for (;;) {
      const c = await deps.ingest.queue.getJobCounts("wait", "prioritized", "delayed", "paused");
      const waiting = Object.values(c).reduce((a, b) => a + b, 0);
      // an interrupt while paused still enqueues this one chunk, so the checkpoint stays exact
      if (waiting <= o.maxWaiting || signal?.aborted) return;
      progress.update(counters, opened.bytesRead(), `(paused: ${waiting} jobs waiting)`);
      await new Promise((r) => setTimeout(r, 500));
    }
  };

  /** Enqueues the sampled chunk, then records where the run stands: the two are the checkpoint. */
  const flush = async () => {
    if (chunk.length > 0 && !o.dryRun) {
      await waitForRoom().catch((cause: unknown) => {
        throw new AppError("SERVICE_UNAVAILABLE", "lost Redis", { cause });
      });
      const result = await ingestPrompts(chunk, deps.ingest, {
        source: "backfill",
        sampleRate: pick.sampleRate,
      });
      counters.enqueued += result.sampled;
      counters.duplicates += result.duplicates;
      counters.skipped += result.skipped;
      counters.sampled -= result.skipped; // no text after extraction: not a sampled prompt after all
    }
    chunk = [];
    await save();
  };

  const take = (ev: RecordEvent) => {
    counters.read += 1;
    if (ev.endOffset === undefined || resolvedFormat !== "ndjson") seekable = false;
    if (ev.kind === "bad") noteBad(state, ev.line ?? ev.index, ev.reason);
    else {
      const picked = pickRecord(ev.value, pick);
      if (picked.kind === "bad") noteBad(state, ev.index, picked.reason);
      else if (picked.kind === "filtered") counters.filtered += 1;
      else if (picked.kind === "skipped") counters.skipped += 1;
      else {
        counters.sampled += 1;
        chunk.push(picked.item);
      }
    }
    position = { records: ev.index, byteOffset: ev.endOffset ?? null };
    sinceCheckpoint += 1;
  };

  return {
    state,
    counters,
    save,
    flush,
    /** Records read so far (the position a checkpoint would save). */
    position: () => position.records,
    onFormat: (format: string) => {
      resolvedFormat = format;
    },
    /** Reads every batch, checkpointing as it goes; "interrupted" when told to stop. */
    async readAll(records: AsyncIterable<RecordEvent[]>): Promise<"interrupted" | undefined> {
      for await (const batch of records) {
        for (const ev of batch) {
          take(ev);
          const stop = signal?.aborted || (o.stopAfter !== undefined && counters.read >= o.stopAfter);
          if (chunk.length >= o.chunkSize || sinceCheckpoint >= o.checkpointEvery || stop) await flush();
          if (stop) return "interrupted";
        }
        progress.update(counters, opened.bytesRead());
        if (Date.now() - lastCheckpoint > CHECKPOINT_EVERY_MS) await flush();
      }
      return undefined;
    },
    /** The last checkpoint stands: everything before it is durable, a resume repeats the rest. */
    async fail(error: string) {
      if (run) await checkpoint(deps.db, run.id, durable, "failed", error).catch(() => {});
    },
  };
}
