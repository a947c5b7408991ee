import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { backfillRuns } from "../db/schema";
import type { FieldMap } from "./fields";

/** What a run records of its options, so a resume or a verify reads its input the same way. */
export interface SavedOptions {
  fields: FieldMap;
  since: string | null;
  until: string | null;
  sampleRate: number;
}

/** Why a resume or a verify refuses an input: it is not the file the run read. */
export const notTheInput = (run: { id: string }) =>
  `the input is not the one run ${run.id} read (its fingerprint differs)`;

export const date = (v: string | null) => (v ? new Date(v) : undefined);

export interface Counters {
  /** Records met (bad ones included; blank lines not). */
  read: number;
  /** In the sample (deterministic keyed hash, as live). */
  sampled: number;
  /** New jobs queued. */
  enqueued: number;
  /** Sampled, but already queued or stored. */
  duplicates: number;
  /** Outside the sample, or with no text to classify after extraction. */
  skipped: number;
  /** Outside --since/--until (or without a time when they are given). */
  filtered: number;
  bad: number;
}

export const emptyCounters = (): Counters => ({
  read: 0,
  sampled: 0,
  enqueued: 0,
  duplicates: 0,
  skipped: 0,
  filtered: 0,
  bad: 0,
});

export interface BadLine {
  line: number;
  reason: string;
}

export interface Checkpoint {
  records: number;
  byteOffset: number | null;
  counters: Counters;
  badLines: BadLine[];
}

export type Run = typeof backfillRuns.$inferSelect;

export async function createRun(
  db: Db,
  r: { source: string; fingerprint: string; format: string; options: Record<string, unknown> },
): Promise<Run> {
  const [run] = await db
    .insert(backfillRuns)
    .values({
      id: `bf_${randomBytes(5).toString("hex")}`,
      ...r,
      status: "running",
      counters: emptyCounters(),
      badLines: [],
    })
    .returning();
  if (!run) throw new Error("could not record the backfill run");
  return run;
}

export async function loadRun(db: Db, id: string): Promise<Run | undefined> {
  const [run] = await db.select().from(backfillRuns).where(eq(backfillRuns.id, id));
  return run;
}

export async function checkpoint(
  db: Db,
  id: string,
  c: Checkpoint,
  status: Run["status"] = "running",
  error?: string,
  format?: string,
) {
  await db
    .update(backfillRuns)
    .set({
      ...(format ? { format } : {}),
      records: c.records,
      byteOffset: c.byteOffset,
      counters: c.counters,
      badLines: c.badLines,
      status,
      error: error ?? null,
      updatedAt: new Date(),
      ...(status === "done" ? { finishedAt: new Date() } : {}),
    })
    .where(eq(backfillRuns.id, id));
}
