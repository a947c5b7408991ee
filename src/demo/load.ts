import type pg from "pg";
import { inTransaction } from "../db/client";
import type { Taxonomy } from "../taxonomy/mapping";
import { writeSyntheticEvents } from "./synthetic";

// `census demo`: a realistic data set an analyst can explore on a fresh install, marked as what it
// is by its engine, `synthetic`. Every answer from it says so (stats notes, the dashboard's
// banner), it is never mixed with Google's or the emulator's events, and `--remove` deletes it
// whole. The rollup triggers keep the rollups current as the COPY lands, and the released units
// are refreshed once it has (writeSyntheticEvents), so the API answers from it at once.

export const DEMO_ENGINE = "synthetic";
export const DEMO_DAYS = 120;
export const DEMO_EVENTS = 200_000;
const DAY = 86_400_000;

/** Every table keyed by engine that the events feed (the rollups and the released units). */
const ROLLUPS = [
  "rollup_category_daily",
  "rollup_tag_daily",
  "rollup_language_daily",
  "rollup_usage_daily",
  "release_unit_daily",
  "release_breakdown_daily",
  "release_language_daily",
  "release_dirty", // marks of its partitions not refreshed yet: nothing left to refresh
] as const;

export interface DemoOptions {
  /** Events to write (default 200,000). */
  events?: number;
  /** The demo ends at the start of this day's next hour (default now): its last DEMO_DAYS days. */
  now?: Date;
  seed?: number;
}

/** Replaces any synthetic data with the demo's; returns what was written. */
export async function loadDemo(pool: pg.Pool, taxonomy: Taxonomy, o: DemoOptions = {}) {
  const removed = await removeDemo(pool);
  const now = o.now ?? new Date();
  const to = new Date(Math.floor(now.getTime() / 3_600_000) * 3_600_000);
  const from = new Date(to.getTime() - DEMO_DAYS * DAY);
  const events = await writeSyntheticEvents(pool, taxonomy, {
    count: o.events ?? DEMO_EVENTS,
    from,
    to,
    seed: o.seed ?? 2025,
    // one COPY per table: the rollup trigger then refreshes each day's units once, not once a chunk
    chunk: Number.MAX_SAFE_INTEGER,
    idPrefix: "demo-",
    mixed: true,
  });
  return { events, removed, from, to };
}

/** Deletes every event of engine synthetic, its labels and its rows in every rollup; returns how
 * many events were deleted. One transaction, under the lock the rollup triggers take for the
 * engine, so no concurrent write of it leaves units behind. */
export async function removeDemo(pool: pg.Pool): Promise<number> {
  return inTransaction(pool, async (client) => {
    await client.query("SELECT pg_advisory_xact_lock(hashtext('census_release'), hashtext($1))", [
      DEMO_ENGINE,
    ]);
    // labels first, by a join: the cascade would look them up one event at a time
    await client.query(
      "DELETE FROM prompt_labels l USING prompt_events e WHERE e.id = l.event_id AND e.engine = $1",
      [DEMO_ENGINE],
    );
    const { rowCount } = await client.query("DELETE FROM prompt_events WHERE engine = $1", [DEMO_ENGINE]);
    for (const table of ROLLUPS) await client.query(`DELETE FROM ${table} WHERE engine = $1`, [DEMO_ENGINE]);
    return rowCount ?? 0;
  });
}
