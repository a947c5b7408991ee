import type { Command } from "commander";
import { z } from "zod";
import { parseOptions } from "./options";
import { withServices } from "./services";

// `census rebuild`: the rollups and the privacy floor's released units recomputed from
// prompt_events (census_rebuild_rollups, sql/rollups.sql). Live writes keep them current
// incrementally; this is for after a bulk load, a change made by hand, or doubt. `--dirty` only
// refreshes what writes marked stale (what workers' refreshers do every REFRESH_INTERVAL_MS).

const schema = z.object({ dirty: z.boolean().default(false) });

export function rebuild(program: Command) {
  program
    .command("rebuild")
    .description(
      "recompute every rollup and released unit from prompt_events (holds writes back while it runs: minutes at tens of millions of events)",
    )
    .option(
      "--dirty",
      "only refresh the released units of partitions written since their last refresh (seconds; writes go on)",
    )
    .action(async (raw: unknown) => {
      const o = parseOptions(schema, raw);
      await withServices({ database: true, migrations: true }, async ({ pool }) => {
        const { refreshReleases } = await import("../stats/refresh");
        const started = performance.now();
        const seconds = () => ((performance.now() - started) / 1000).toFixed(1);
        if (o.dirty) {
          const n = await refreshReleases(pool, true);
          return console.log(`refreshed the released units of ${n} partitions in ${seconds()} s`);
        }
        await pool.query("SELECT census_rebuild_rollups()");
        const { rows } = await pool.query<{ n: string }>(
          "SELECT coalesce(sum(events), 0)::text AS n FROM rollup_usage_daily",
        );
        console.log(`rebuilt the rollups and released units of ${rows[0]?.n ?? 0} events in ${seconds()} s`);
      });
    });
}
