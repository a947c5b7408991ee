import type pg from "pg";

/** The rollup and release tables: what every answer is made of. */
export const ROLLUP_TABLES = [
  "rollup_category_daily",
  "rollup_language_daily",
  "rollup_tag_daily",
  "rollup_usage_daily",
  "release_unit_daily",
  "release_breakdown_daily",
  "release_language_daily",
] as const;

/** Every row of `tables`, in a stable order, to compare two states of a database exactly. */
export async function rollups(
  pool: Pick<pg.Pool, "query">,
  tables: readonly string[] = ROLLUP_TABLES,
): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const t of tables)
    out[t] = (await pool.query(`SELECT * FROM ${t} t ORDER BY t::text`)).rows.map((r) => JSON.stringify(r));
  return out;
}
