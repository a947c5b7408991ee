import type pg from "pg";
import { inTransaction } from "../db/client";
import type { Catalogue } from "./catalogue";

// The catalogue in the database (migrations/0020): what analytics.model_attributes() reads.

/** What of the stored catalogue decides a model's group and attributes (not its citations or version). */
const DIGEST = `SELECT md5(coalesce(string_agg(concat_ws('|', match, source, origin, size, params, reasoning), ','
  ORDER BY match), '')) AS digest FROM model_catalogue`;

/**
 * Replaces the stored catalogue with this one in one transaction, so a reader sees the old or the
 * new, never a mix. The advisory lock serialises replicas that start together (each would delete
 * and insert, and the second would collide with the first's rows). When what it says of models
 * changed, the release units are rebuilt in the same transaction: a unit is of one model group
 * (sql/floor.sql), so a model that moves group moves its events to other units; a reader sees the
 * old catalogue with the old units or the new with the new.
 */
export async function storeCatalogue(
  pool: pg.Pool,
  catalogue: Catalogue,
): Promise<{ entries: number; rebuilt: boolean }> {
  return inTransaction(pool, async (client) => {
    await client.query("SELECT pg_advisory_xact_lock(hashtext('model_catalogue'))");
    const before = (await client.query<{ digest: string }>(DIGEST)).rows[0]?.digest;
    await client.query("DELETE FROM model_catalogue");
    const { rowCount } = await client.query(
      `INSERT INTO model_catalogue (match, source, origin, size, params, reasoning, cite, version)
       SELECT e.match, e.source, e.origin, e.size, e.params, e.reasoning, e.cite, $2
       FROM jsonb_to_recordset($1::jsonb)
         AS e(match text, source text, origin text, size text, params real, reasoning boolean, cite text)`,
      [JSON.stringify(catalogue.entries), catalogue.version],
    );
    const after = (await client.query<{ digest: string }>(DIGEST)).rows[0]?.digest;
    const rebuilt = before !== after;
    if (rebuilt) await client.query("SELECT census_rebuild_releases()");
    return { entries: rowCount ?? 0, rebuilt };
  });
}

export interface UnknownModel {
  model: string;
  events: number;
  /** Its events over all stored events. */
  share: number;
}

/** The models of stored events the stored catalogue does not know, most events first. */
export async function unknownModels(
  pool: pg.Pool,
): Promise<{ version: string | null; total: number; unknown: UnknownModel[] }> {
  const stored = await pool.query<{ version: string | null }>(
    "SELECT max(version) AS version FROM model_catalogue",
  );
  const { rows } = await pool.query<{ model: string; events: string; total: string; source: string }>(
    `WITH per_model AS (SELECT model, count(*) AS events FROM prompt_events GROUP BY model)
     SELECT p.model, p.events, sum(p.events) OVER () AS total, a.source
     FROM per_model p CROSS JOIN LATERAL analytics.model_attributes(p.model) a`,
  );
  const total = Number(rows[0]?.total ?? 0);
  const unknown = rows
    .filter((r) => r.source === "unknown")
    .map((r) => ({ model: r.model, events: Number(r.events), share: Number(r.events) / total }))
    .sort((a, b) => b.events - a.events || a.model.localeCompare(b.model));
  return { version: stored.rows[0]?.version ?? null, total, unknown };
}
