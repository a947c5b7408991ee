import type pg from "pg";
import { type FloorGrain, floorGrains, type Interval } from "../vocabulary";
import { snapWindow } from "./window";

// What the privacy floor leaves out, per period: for operators (`census floor`), never on the
// stats API. Analysts must not see it per cell, since the hidden part of a cell is what the floor
// hides; a period's total of it is the same figure the usage counts already give (events stored
// per day), split here by how the rest was released.

export interface FloorRow {
  period: string;
  /** Sampled events of the period, every outcome. */
  events: number;
  /** In a model's own unit (>= k events of one model, day, outcome and category). */
  models: number;
  /** In an author's pool of small models. */
  authorPools: number;
  /** In a category's pool of small authors. */
  categoryPools: number;
  /** In no released unit: in no answer. */
  hidden: number;
  /** Released share of the period's events. */
  released: number;
}

export async function floorReport(
  pool: pg.Pool,
  q: { engine: string; from: string; to: string; interval: Interval; grain?: FloorGrain },
): Promise<FloorRow[]> {
  // the grain the release rows were kept with (FLOOR_GRAIN): they are keyed by its first day
  const grain = q.grain ?? "day";
  const w = snapWindow(q.interval, q.from, q.to, grain);
  const { rows } = await pool.query<Record<string, string>>(
    `WITH sampled AS (
       SELECT analytics.bucket($4, $2::date, census_grain_start($5, day)) AS period, sum(events) AS events
       FROM rollup_category_daily WHERE engine = $1 AND day >= $2::date AND day < $3::date GROUP BY 1
     ), released AS (
       SELECT analytics.bucket($4, $2::date, day) AS period,
         coalesce(sum(events) FILTER (WHERE unit_model IS NOT NULL), 0) AS models,
         coalesce(sum(events) FILTER (WHERE unit_model IS NULL AND unit_author IS NOT NULL), 0) AS author_pools,
         coalesce(sum(events) FILTER (WHERE unit_author IS NULL), 0) AS category_pools
       FROM census_released_cells($1, $2::date, $3::date) GROUP BY 1
     )
     SELECT s.period, s.events, coalesce(r.models, 0) AS models, coalesce(r.author_pools, 0) AS author_pools,
       coalesce(r.category_pools, 0) AS category_pools
     FROM sampled s LEFT JOIN released r USING (period) ORDER BY 1`,
    [q.engine, w.from, w.to, q.interval, grain],
  );
  return rows.map((r) => {
    const events = Number(r.events);
    const models = Number(r.models);
    const authorPools = Number(r.author_pools);
    const categoryPools = Number(r.category_pools);
    const shown = models + authorPools + categoryPools;
    return {
      period: String(r.period),
      events,
      models,
      authorPools,
      categoryPools,
      hidden: events - shown,
      released: events > 0 ? shown / events : 0,
    };
  });
}

export interface GrainRow {
  grain: FloorGrain;
  /** Sampled events of the window widened to whole periods, then grains; every outcome. */
  events: number;
  /** Share of them in a unit that grain would release. */
  released: number;
}

/**
 * What each FLOOR_GRAIN would release of the window, computed from the rollups with the same
 * rule the triggers keep (census_release_cells_of), so an operator can choose before switching.
 */
export async function grainReport(
  pool: pg.Pool,
  q: { engine: string; from: string; to: string; interval: Interval },
): Promise<GrainRow[]> {
  const out: GrainRow[] = [];
  for (const grain of floorGrains) {
    const w = snapWindow(q.interval, q.from, q.to, grain);
    const { rows } = await pool.query<{ events: string | null; released: string | null }>(
      `WITH parts AS (
         SELECT census_grain_start($2, day) AS start, outcome, category, sum(events) AS events
         FROM rollup_category_daily WHERE engine = $1 AND day >= $3::date AND day < $4::date GROUP BY 1, 2, 3
       )
       SELECT (SELECT sum(events) FROM parts) AS events,
         (SELECT sum(u.events) FROM census_release_cells_of($1, $2,
            (SELECT array_agg(start) FROM parts), (SELECT array_agg(outcome) FROM parts),
            (SELECT array_agg(category) FROM parts)) u) AS released`,
      [q.engine, grain, w.from, w.to],
    );
    const events = Number(rows[0]?.events ?? 0);
    const released = Number(rows[0]?.released ?? 0);
    out.push({ grain, events, released: events > 0 ? released / events : 0 });
  }
  return out;
}

/** The engine whose events a window holds: google when it has any, else the one with most events. */
export async function engineInWindow(pool: pg.Pool, from: string, to: string): Promise<string> {
  const { rows } = await pool.query<{ engine: string }>(
    `SELECT engine FROM rollup_category_daily WHERE day >= $1::date AND day < $2::date
     GROUP BY engine ORDER BY engine = 'google' DESC, sum(events) DESC LIMIT 1`,
    [from, to],
  );
  return rows[0]?.engine ?? "google";
}
