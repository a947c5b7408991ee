import type pg from "pg";

// prompt_events and prompt_labels have one partition per UTC month and a DEFAULT one each
// (sql/partitions.sql). Every process creates the months ahead at start (bootstrapDatabase) and the
// workers again every hour, so a month's partition exists before its first event; an event of a
// month with none (a backfill of old logs) lands in DEFAULT and gets its own partition at the next
// maintenance, or at once with `census partitions`.

/** This month and this many after it always have a partition. */
export const PARTITIONS_AHEAD = 3;

/** How often the workers run the maintenance: well under a month, cheap when nothing is missing. */
export const PARTITION_MAINTENANCE_MS = 60 * 60_000;

export interface MonthPartition {
  /** The month's first day, `YYYY-MM-01`. */
  month: string;
  eventsTable: string;
  labelsTable: string;
  /** Postgres's estimate (pg_class.reltuples), 0 before the first ANALYZE. */
  eventsEstimate: number;
}

/** Creates the missing months (ahead, and those found in DEFAULT); returns how many it created. */
export async function ensurePartitions(pool: pg.Pool, ahead = PARTITIONS_AHEAD): Promise<number> {
  const { rows } = await pool.query<{ made: number }>("SELECT census_ensure_partitions($1) AS made", [ahead]);
  return rows[0]?.made ?? 0;
}

/**
 * Analyzes the partitions, rollups and release tables that grew by more than 1,000 rows plus a
 * fifth since their last analyze (sql/partitions.sql census_analyze_grown: why); returns how many.
 * The refresher calls it every interval, so a write's cached plans never keep scanning a month
 * that was empty when they were made, whether or not autovacuum runs.
 */
export async function analyzeGrown(pool: Pick<pg.Pool, "query">): Promise<number> {
  const { rows } = await pool.query<{ n: number }>("SELECT census_analyze_grown() AS n");
  return rows[0]?.n ?? 0;
}

export async function monthPartitions(pool: pg.Pool): Promise<MonthPartition[]> {
  const { rows } = await pool.query<{
    month: string;
    events_table: string;
    labels_table: string;
    events_estimate: string;
  }>(
    "SELECT to_char(month, 'YYYY-MM-DD') AS month, events_table, labels_table, events_estimate FROM census_month_partitions()",
  );
  return rows.map((r) => ({
    month: r.month,
    eventsTable: r.events_table,
    labelsTable: r.labels_table,
    eventsEstimate: Number(r.events_estimate),
  }));
}

/** The first month `--keep-months n` keeps at `now`: this month and the n - 1 before it. */
export function keptFrom(now: Date, keepMonths: number): string {
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - (keepMonths - 1), 1));
  return d.toISOString().slice(0, 10);
}

/** Pure: the months retention drops, oldest first: every one before keptFrom(now, keepMonths). */
export function monthsToDrop(months: readonly string[], now: Date, keepMonths: number): string[] {
  const from = keptFrom(now, keepMonths);
  return months.filter((m) => m < from).sort();
}

/** Detaches and drops one month of events and labels; the rollups keep its aggregates. */
export async function dropMonth(pool: pg.Pool, month: string): Promise<boolean> {
  const { rows } = await pool.query<{ dropped: boolean }>("SELECT census_drop_month($1::date) AS dropped", [
    month,
  ]);
  return rows[0]?.dropped ?? false;
}
