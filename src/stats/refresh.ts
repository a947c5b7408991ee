import type pg from "pg";
import { analyzeGrown } from "../db/partitions";
import { isConnectionLost } from "../platform/errors";
import type { Logger } from "../platform/logger";

// The privacy floor's release units are refreshed outside the writes: a write marks the
// partitions it touched in release_dirty (sql/rollups.sql), and a refresher in every worker
// process (and `census start`) runs census_refresh_dirty (sql/floor.sql) every
// REFRESH_INTERVAL_MS. Refreshers of several processes split the partitions between them, each
// under its own advisory lock. An answer is at most about one interval (plus the refresh's own
// time) behind the events written: census_release_refresh_lag_seconds says how far right now.

/**
 * Refreshes the release units of every partition marked stale; returns how many it refreshed.
 * `wait`: also those another refresher holds, waiting for it (tests and analysts: answers read
 * after it count every event committed before it).
 */
export async function refreshReleases(pool: Pick<pg.Pool, "query">, wait = false): Promise<number> {
  const { rows } = await pool.query<{ n: number }>("SELECT census_refresh_dirty($1) AS n", [wait]);
  return rows[0]?.n ?? 0;
}

export interface RefreshLag {
  /** Partitions (engine, day, outcome, category) whose units are stale. */
  partitions: number;
  /** Age of the oldest stale mark; 0 when none. */
  seconds: number;
}

export async function refreshLag(pool: Pick<pg.Pool, "query">): Promise<RefreshLag> {
  const { rows } = await pool.query<RefreshLag>(
    `SELECT count(*)::int AS partitions,
       coalesce(extract(epoch FROM clock_timestamp() - min(marked_at)), 0)::float8 AS seconds
     FROM (SELECT min(marked_at) AS marked_at FROM release_dirty GROUP BY engine, day, outcome, category) d`,
  );
  return rows[0] ?? { partitions: 0, seconds: 0 };
}

export interface Refresher {
  /** Stops the timer, waits for a refresh in progress, then refreshes once more (best effort). */
  stop(): Promise<void>;
}

/**
 * Refreshes every `intervalMs` (never two at once in this process) until stopped, and keeps the
 * growing tables' planner statistics current (analyzeGrown).
 */
export function startRefresher(pool: pg.Pool, intervalMs: number, log: Logger): Refresher {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  let failing = false;
  const tick = async () => {
    try {
      await refreshReleases(pool);
      await analyzeGrown(pool);
      if (failing) log.info("release refresh works again");
      failing = false;
    } catch (err) {
      // one line per outage, not one per interval; the marks stay, the next refresh takes them
      if (!failing) {
        const what = isConnectionLost(err) ? "postgres unavailable" : (err as Error).message?.slice(0, 300);
        log.warn({ msg: what }, "release refresh failed: stats answers lag until it works again");
      }
      failing = true;
    }
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = tick().finally(schedule);
    }, intervalMs);
    timer.unref();
  };
  schedule();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
      await refreshReleases(pool).catch(() => {});
    },
  };
}
