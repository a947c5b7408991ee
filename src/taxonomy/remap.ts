import type pg from "pg";
import { decisionRuleOf, mapPath, OTHERS, type Taxonomy, UNKNOWN_TAG } from "./mapping";

export interface RemapResult {
  version: string;
  events: number;
  labels: number;
}

/**
 * Re-derives stored labels' tags and categories, and each event's category (by the scheme's decision
 * rule, as at ingest: decisionRuleOf), under the current mapping, without calling Google. Works in batches of
 * events still on another version, so it is idempotent and resumable. Each batch notes, in
 * remap_stale_days, the (engine, day) of the events whose category or labels actually changed; at
 * the end those days' rollups, and only those, are rebuilt (census_rebuild_rollups_days,
 * sql/rollups.sql) with their release units, so a remap of one month costs that month,
 * not the table. Days a stopped run noted are rebuilt by the next, stale events or not.
 */
export async function remap(pool: pg.Pool, taxonomy: Taxonomy, batchSize = 5000): Promise<RemapResult> {
  const paths = [...taxonomy.knownPaths];
  const mapped = paths.map((p) => mapPath(taxonomy, p));
  const client = await pool.connect();
  let events = 0;
  let labels = 0;
  try {
    await client.query(
      `CREATE TEMP TABLE IF NOT EXISTS remap_paths (path text PRIMARY KEY, tag text NOT NULL, category text NOT NULL)`,
    );
    await client.query("TRUNCATE remap_paths");
    await client.query("INSERT INTO remap_paths SELECT * FROM unnest($1::text[], $2::text[], $3::text[])", [
      paths,
      mapped.map((m) => m.tag),
      mapped.map((m) => m.category),
    ]);
    // Month by month, through each partition's own table: a statement naming the parent with a
    // batch of ids (no observed_hour) plans a scan of every month (measured: 3.4 s a batch at 1M
    // events, against ~0.1 s here), and a month with nothing stale costs one pass over it.
    const parts = await client.query<{ events_table: string; labels_table: string }>(
      `SELECT events_table, labels_table FROM census_month_partitions()
       UNION ALL SELECT 'prompt_events_default', 'prompt_labels_default'`,
    );
    for (const p of parts.rows) {
      const n = await remapPartition(client, taxonomy, p.events_table, p.labels_table, batchSize);
      events += n.events;
      labels += n.labels;
    }
    // the days' rollups and their release units, in one transaction
    await client.query("BEGIN");
    await client.query(
      `WITH d AS (DELETE FROM remap_stale_days RETURNING engine, day)
       SELECT census_rebuild_rollups_days(array_agg(engine), array_agg(day)) AS n FROM d`,
    );
    await client.query("COMMIT");
    return { version: taxonomy.version, events, labels };
  } catch (err) {
    await client.query("ROLLBACK").catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

/**
 * One partition's stale events (and their labels, which live in the same month): keyset
 * pagination over its primary key, each batch starting where the last one ended, so a run over
 * ten million events stays linear.
 */
async function remapPartition(
  client: pg.PoolClient,
  taxonomy: Taxonomy,
  eventsTable: string,
  labelsTable: string,
  batchSize: number,
): Promise<{ events: number; labels: number }> {
  const ev = client.escapeIdentifier(eventsTable);
  const lb = client.escapeIdentifier(labelsTable);
  let events = 0;
  let labels = 0;
  let after = "";
  for (;;) {
    await client.query("BEGIN");
    const batch = await client.query<{ id: string }>(
      `SELECT id FROM ${ev} WHERE id > $1 AND mapping_version <> $2 ORDER BY id LIMIT $3 FOR UPDATE`,
      [after, taxonomy.version, batchSize],
    );
    const ids = batch.rows.map((r) => r.id);
    if (ids.length === 0) {
      await client.query("COMMIT");
      break;
    }
    after = ids[ids.length - 1] ?? after;
    const l = await client.query<{ n: number }>(
      `WITH changed AS (
         UPDATE ${lb} l SET tag = coalesce(m.tag, $2), category = coalesce(m.category, $3)
         FROM ${lb} l2 LEFT JOIN remap_paths m ON m.path = l2.path
         WHERE l.event_id = ANY($1) AND l2.event_id = l.event_id AND l2.path = l.path
           AND (l.tag, l.category) IS DISTINCT FROM (coalesce(m.tag, $2), coalesce(m.category, $3))
         RETURNING l.event_id, l.observed_hour
       ), days AS (
         INSERT INTO remap_stale_days
         SELECT DISTINCT e.engine, (e.observed_hour AT TIME ZONE 'UTC')::date
         FROM (SELECT DISTINCT event_id, observed_hour FROM changed) c
         JOIN ${ev} e ON e.id = c.event_id AND e.observed_hour = c.observed_hour
         ON CONFLICT DO NOTHING
       )
       SELECT count(*)::int AS n FROM changed`,
      [ids, UNKNOWN_TAG, OTHERS],
    );
    // o is the row before this statement: its category tells whether the event moved
    const e = await client.query<{ n: number }>(
      `WITH moved AS (
         UPDATE ${ev} e SET mapping_version = $2, category = coalesce(
           (SELECT l.category FROM ${lb} l WHERE l.event_id = e.id AND l.observed_hour = e.observed_hour
            ORDER BY (l.category = $3 AND $4), l.confidence DESC, l.path LIMIT 1), $3)
         FROM ${ev} o
         WHERE e.id = ANY($1) AND o.id = e.id AND o.observed_hour = e.observed_hour
         RETURNING e.engine, e.observed_hour, e.category IS DISTINCT FROM o.category AS changed
       ), days AS (
         INSERT INTO remap_stale_days
         SELECT DISTINCT engine, (observed_hour AT TIME ZONE 'UTC')::date FROM moved WHERE changed
         ON CONFLICT DO NOTHING
       )
       SELECT count(*)::int AS n FROM moved`,
      [ids, taxonomy.version, OTHERS, decisionRuleOf(taxonomy) === "prefer-named"],
    );
    await client.query("COMMIT");
    labels += l.rows[0]?.n ?? 0;
    events += e.rows[0]?.n ?? 0;
  }
  return { events, labels };
}
