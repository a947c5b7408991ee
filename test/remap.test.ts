import type pg from "pg";
import { describe, expect, it } from "vitest";
import { loadTaxonomy } from "../src/taxonomy/load";
import { mapPath } from "../src/taxonomy/mapping";
import { remap } from "../src/taxonomy/remap";
import { rollups } from "./support/rollups";
import { waitFor } from "./support/stack";
import { withOwnDatabase } from "./support/urls";

// Issue 19, item 3: a remap rebuilds only the rollups of the (engine, day) whose events it changed
// (census_rebuild_rollups_days, sql/rollups.sql), and the result is what a full
// census_rebuild_rollups() would make. Each test has a database of its own: a remap takes every
// stale event of its database, and partitions are made here.

const taxonomy = loadTaxonomy();
const K = 2;
const ML = "/Science/Computer Science/Machine Learning & Artificial Intelligence";
const STABLE = "/Computers & Electronics/Programming";
const stable = mapPath(taxonomy, STABLE);

/** The row versions of the rollups of the days a scoped remap must leave alone. */
async function untouched(pool: pg.Pool): Promise<string[]> {
  const rows: string[] = [];
  for (const t of ["rollup_category_daily", "rollup_language_daily", "rollup_tag_daily"]) {
    const { rows: r } = await pool.query<{ v: string }>(
      `SELECT t::text || ' ' || xmin::text AS v FROM ${t} t
       WHERE engine <> 'synthetic' OR date_trunc('month', day) <> '2024-02-01' OR extract(day FROM day)::int % 3 = 1
       ORDER BY 1`,
    );
    rows.push(...r.map((x) => x.v));
  }
  return rows;
}

/**
 * 1,200 events from January to March 2024, two engines, three models, through the parents (so the
 * rollup triggers count them), each month in a partition of its own. Synthetic's February is
 * stale: on days = 0 (mod 3) its labels are of an old mapping (ML under programming), on 2 only
 * the tag is stale, on 1 nothing changes but the version.
 */
async function load(pool: pg.Pool) {
  await pool.query(
    `INSERT INTO prompt_events (id, observed_hour, model, prompt_tokens, completion_tokens, cost_usd, sample_rate,
       source, language, engine, outcome, category, mapping_version, char_count)
     SELECT 'ev' || g, h, (ARRAY['openai/gpt-5', 'anthropic/claude', 'mistralai/small'])[1 + g % 3], 100 + g, 50,
       0.001, 0.5, 'live', (ARRAY['en', 'de', NULL])[1 + g / 2 % 3], e,
       'classified', CASE WHEN stale AND extract(day FROM h AT TIME ZONE 'UTC')::int % 3 = 0 THEN 'programming'
         ELSE $2 END, CASE WHEN stale THEN 'test/old' ELSE $1 END, 1000
     FROM generate_series(1, 1200) g,
       LATERAL (SELECT date_trunc('hour', timestamptz '2024-01-01 00:00Z' + g * interval '1 hour 43 minutes') AS h,
         (ARRAY['synthetic', 'emulator'])[1 + g % 2] AS e) x,
       LATERAL (SELECT e = 'synthetic' AND date_trunc('month', h AT TIME ZONE 'UTC') = '2024-02-01' AS stale) s`,
    [taxonomy.version, stable.category],
  );
  await pool.query(
    `INSERT INTO prompt_labels (event_id, observed_hour, path, confidence, tag, category)
     SELECT id, observed_hour, CASE m WHEN 0 THEN $1 ELSE $2 END, 0.9,
       CASE m WHEN 0 THEN 'computer-science' WHEN 2 THEN 'stale-tag' ELSE $3 END, category
     FROM (SELECT *, CASE WHEN mapping_version = 'test/old'
             THEN extract(day FROM observed_hour AT TIME ZONE 'UTC')::int % 3 ELSE 1 END AS m
           FROM prompt_events) e`,
    [ML, STABLE, stable.tag],
  );
  await pool.query("SELECT census_ensure_partitions(0)");
  await pool.query("SELECT census_refresh_dirty(true)");
}

/** A database of the test's own, loaded: a remap takes every stale event of its database. */
const withDatabase = (label: string, body: (pool: pg.Pool) => Promise<void>) =>
  withOwnDatabase(label, { taxonomy, kMinEvents: K, poolMax: 4 }, async (pool) => {
    await load(pool);
    await body(pool);
  });

/** What a full rebuild makes of the same events, to compare a scoped one with. */
async function rebuilt(pool: pg.Pool) {
  await pool.query("SELECT census_rebuild_rollups()");
  return rollups(pool);
}

describe("census remap rebuilds only the days it changed", () => {
  it("equals a full rebuild, and leaves other days' and engines' rollup rows as they were", async () => {
    await withDatabase("remapdays", async (pool) => {
      const before = await untouched(pool);
      const result = await remap(pool, taxonomy);
      expect(result.events).toBeGreaterThan(150);
      const after = await rollups(pool);
      expect(await untouched(pool)).toEqual(before);
      const science = await pool.query(
        "SELECT count(*)::int AS n FROM rollup_tag_daily WHERE tag = 'machine-learning-ai' AND engine = 'synthetic'",
      );
      expect(science.rows[0].n).toBeGreaterThan(0);
      expect(await rebuilt(pool)).toEqual(after);
      // nothing stale left: a second run changes and rebuilds nothing
      expect(await remap(pool, taxonomy)).toEqual({ version: taxonomy.version, events: 0, labels: 0 });
      expect(await rollups(pool)).toEqual(after);
    });
  });

  it("leaves the days of a remap stopped before its rebuild to the next run", async () => {
    await withDatabase("remapstop", async (pool) => {
      const rebuildDays = "census_rebuild_rollups_days(text[], date[])";
      await pool.query(`ALTER FUNCTION ${rebuildDays} RENAME TO census_rebuild_rollups_days_away`);
      await expect(remap(pool, taxonomy)).rejects.toThrow(/census_rebuild_rollups_days/);
      await pool.query(
        "ALTER FUNCTION census_rebuild_rollups_days_away(text[], date[]) RENAME TO census_rebuild_rollups_days",
      );
      // every event is on the current version now: only the notes tell which days to rebuild
      expect(await remap(pool, taxonomy)).toEqual({ version: taxonomy.version, events: 0, labels: 0 });
      const after = await rollups(pool);
      expect(await rebuilt(pool)).toEqual(after);
      expect((await pool.query("SELECT count(*)::int AS n FROM remap_stale_days")).rows[0].n).toBe(0);
    });
  });

  it("keeps the rollups of days before the retention horizon, as the full rebuild does", async () => {
    await withDatabase("remapkept", async (pool) => {
      await pool.query("INSERT INTO census_retention (id, kept_from) VALUES (true, '2024-02-15')");
      // some events of a stale day before the horizon gone (as a dropped month's are): its rollups
      // hold the only count of them, and must stay as they are
      const gone = await pool.query(
        `DELETE FROM prompt_events WHERE engine = 'synthetic' AND observed_hour >= '2024-02-06' AND observed_hour < '2024-02-07'
           AND id ~ '[02468]$'`,
      );
      expect(gone.rowCount).toBeGreaterThan(1);
      const early = async () =>
        (
          await pool.query(
            "SELECT t::text || ' ' || xmin::text AS v FROM rollup_tag_daily t WHERE day < '2024-02-15' ORDER BY 1",
          )
        ).rows;
      const before = await early();
      await remap(pool, taxonomy);
      expect(await early()).toEqual(before);
      const after = await rollups(pool);
      expect(await rebuilt(pool)).toEqual(after);
      const kept = await pool.query(
        "SELECT count(*)::int AS n FROM rollup_category_daily WHERE day = '2024-02-06' AND engine = 'synthetic' AND category = 'programming'",
      );
      expect(kept.rows[0].n).toBeGreaterThan(0);
    });
  });

  it("counts a write held open against the rebuild exactly once, and waits only for writes to its months", async () => {
    await withDatabase("remaplock", async (pool) => {
      const insert = (id: string, hour: string) =>
        `INSERT INTO prompt_events (id, observed_hour, model, prompt_tokens, completion_tokens, cost_usd, sample_rate,
           source, language, engine, outcome, category, mapping_version, char_count)
         VALUES ('${id}', '${hour}', 'newco/model', 10, 5, 0.001, 1, 'live', 'en', 'synthetic', 'classified',
           'science', '${taxonomy.version}', 100), ('${id}b', '${hour}', 'openai/gpt-5', 10, 5, 0.001, 1, 'live', 'en',
           'synthetic', 'classified', 'science', '${taxonomy.version}', 100)`;
      const waiting = (pattern: string) =>
        waitFor(async () => {
          const { rows } = await pool.query(
            `SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND wait_event = 'relation' AND query LIKE $1`,
            [pattern],
          );
          return rows.length > 0;
        }, 10_000);

      // a write in flight to a stale day: the remap's rebuild waits for it, then counts it
      const writer = await pool.connect();
      try {
        await writer.query("BEGIN");
        await writer.query(insert("held1", "2024-02-09 10:00Z"));
        const running = remap(pool, taxonomy);
        await waiting("%census_rebuild_rollups_days%");
        await writer.query("COMMIT");
        await running;
      } finally {
        writer.release();
      }

      // a rebuild in flight: a write to another month goes on, one to its month waits for it
      const rebuild = await pool.connect();
      try {
        await rebuild.query("BEGIN");
        await rebuild.query(
          "SELECT census_rebuild_rollups_days(ARRAY['synthetic'], ARRAY['2024-02-12'::date])",
        );
        await pool.query(insert("other", "2024-03-05 10:00Z"));
        const blocked = pool.query(insert("held2", "2024-02-12 10:00Z"));
        await waiting("%held2%");
        await rebuild.query("COMMIT");
        await blocked;
      } finally {
        rebuild.release();
      }
      await pool.query("SELECT census_refresh_dirty(true)");

      const after = await rollups(pool);
      expect(await rebuilt(pool)).toEqual(after);
      const counted = await pool.query(
        `SELECT (SELECT sum(events)::int FROM rollup_category_daily) AS rolled, (SELECT count(*)::int FROM prompt_events) AS stored`,
      );
      expect(counted.rows[0].rolled).toBe(counted.rows[0].stored);
    });
  });
});
