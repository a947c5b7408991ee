import type pg from "pg";
import { inTransaction } from "../db/client";
import type { Catalogue } from "./catalogue";

// The catalogue in the database (migrations/0020): what analytics.model_attributes() reads.

/**
 * Replaces the stored catalogue with this one in one transaction, so a reader sees the old or the
 * new, never a mix. The advisory lock serialises replicas that start together (each would delete
 * and insert, and the second would collide with the first's rows). No released unit changes: the
 * stored models keep, for the periods stored so far, the group and trait the old catalogue gave
 * them, and take the new ones from a cutoff no stored event has reached (sql/floor.sql
 * census_pin_model_facts). Re-cutting released units would let an answer from before the change
 * be differenced against one from after. `changed`: how many stored models the new one moves.
 */
export async function storeCatalogue(
  pool: pg.Pool,
  catalogue: Catalogue,
): Promise<{ entries: number; changed: number }> {
  return inTransaction(pool, async (client) => {
    await client.query("SELECT pg_advisory_xact_lock(hashtext('model_catalogue'))");
    await client.query("SELECT census_pin_model_facts('before')");
    await client.query("DELETE FROM model_catalogue");
    const { rowCount } = await client.query(
      `INSERT INTO model_catalogue (match, source, origin, size, params, reasoning, cite, version)
       SELECT e.match, e.source, e.origin, e.size, e.params, e.reasoning, e.cite, $2
       FROM jsonb_to_recordset($1::jsonb)
         AS e(match text, source text, origin text, size text, params real, reasoning boolean, cite text)`,
      [JSON.stringify(catalogue.entries), catalogue.version],
    );
    const pinned = await client.query<{ n: number }>("SELECT census_pin_model_facts('after') AS n");
    return { entries: rowCount ?? 0, changed: pinned.rows[0]?.n ?? 0 };
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
