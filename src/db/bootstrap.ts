import type pg from "pg";
import type { Taxonomy } from "../taxonomy/mapping";
import type { FloorGrain } from "../vocabulary";
import { ensurePartitions } from "./partitions";

/**
 * Start-up writes every role needs before it serves: the mapping version in use (so events can be
 * traced to their rules), the month partitions ahead, and the settings SQL views read (they cannot
 * see the environment).
 */
export async function bootstrapDatabase(
  pool: pg.Pool,
  opts: { taxonomy: Taxonomy; kMinEvents: number; floorGrain?: FloorGrain },
) {
  await registerTaxonomy(pool, opts.taxonomy);
  // this month's partition and the next ones exist before the first event of each (sql/partitions.sql)
  await ensurePartitions(pool);
  // a change of either recomputes every release unit (the census_settings_k trigger)
  await pool.query(
    `INSERT INTO census_settings (id, k_min_events, floor_grain) VALUES (true, $1, $2)
     ON CONFLICT (id) DO UPDATE SET k_min_events = excluded.k_min_events, floor_grain = excluded.floor_grain`,
    [opts.kMinEvents, opts.floorGrain ?? "day"],
  );
}

/** Records a mapping version; refuses a version whose content changed without a new version. */
export async function registerTaxonomy(pool: pg.Pool, taxonomy: Taxonomy): Promise<void> {
  await pool.query(
    `INSERT INTO taxonomy_mappings (version, sha256, rules) VALUES ($1, $2, $3) ON CONFLICT (version) DO NOTHING`,
    [taxonomy.version, taxonomy.sha256, JSON.stringify(taxonomy.rules)],
  );
  const { rows } = await pool.query<{ sha256: string }>(
    "SELECT sha256 FROM taxonomy_mappings WHERE version = $1",
    [taxonomy.version],
  );
  if (rows[0]?.sha256 !== taxonomy.sha256) {
    throw new Error(
      `config/mapping/${taxonomy.scheme}.json version ${taxonomy.version} is already recorded with different rules: bump "version" when you change a rule, then run \`census remap\`.`,
    );
  }
}
