import { rmSync } from "node:fs";
import { drizzle } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { eventRow, storeEvent } from "../src/classification/store-event";
import { createPool } from "../src/db/client";
import { runMigrations } from "../src/db/migrate";
import {
  analyzeGrown,
  dropMonth,
  ensurePartitions,
  keptFrom,
  monthPartitions,
  monthsToDrop,
} from "../src/db/partitions";
import { createLogger } from "../src/platform/logger";
import { startRefresher } from "../src/stats/refresh";
import { categoryStats } from "../src/stats/service";
import { loadTaxonomy } from "../src/taxonomy/load";
import { migrationsUpTo } from "./support/migrations";
import { ROLLUP_TABLES, rollups } from "./support/rollups";
import { seed } from "./support/seed";
import { waitFor } from "./support/stack";
import { dropExtraDatabase, extraDatabaseUrl, TEST_DATABASE_URL, withOwnDatabase } from "./support/urls";

// Issue 19, item 3: prompt_events and prompt_labels partitioned by month (migrations/0029,
// sql/partitions.sql). Each test has a database of its own: partitions are created, moved and
// dropped here, which no other file must see.

const taxonomy = loadTaxonomy();
const K = 10;
/** Which table each stored event (and label) is in. */
async function homes(pool: pg.Pool, table: "prompt_events" | "prompt_labels") {
  const key = table === "prompt_events" ? "id" : "event_id";
  const { rows } = await pool.query<{ id: string; home: string }>(
    `SELECT ${key} AS id, tableoid::regclass::text AS home FROM ${table} ORDER BY 1, 2`,
  );
  return rows;
}

/** A database of the test's own: partitions are created, moved and dropped there. */
const withDatabase = (label: string, body: (pool: pg.Pool) => Promise<void>) =>
  withOwnDatabase(label, { taxonomy, kMinEvents: K, poolMax: 3 }, body);

// Events and labels as the unpartitioned tables took them (no observed_hour on labels), over
// four months, through the old triggers.
const OLD_EVENTS = `
  INSERT INTO prompt_events (id, observed_hour, model, prompt_tokens, completion_tokens, cost_usd, sample_rate,
    source, language, engine, outcome, category, mapping_version, char_count)
  SELECT 'old' || g, date_trunc('hour', timestamptz '2024-01-03 00:00Z' + g * interval '7 hours 13 minutes'),
    (ARRAY['openai/gpt-5', 'anthropic/claude'])[1 + g % 2], 100 + g, 50, 0.001, 0.5, 'live',
    (ARRAY['en', 'de', NULL])[1 + g % 3], 'synthetic', 'classified',
    (ARRAY['programming', 'writing', 'others'])[1 + g % 3], $1, 1000
  FROM generate_series(1, 400) g`;
const OLD_LABELS = `
  INSERT INTO prompt_labels (event_id, path, confidence, tag, category)
  SELECT id, p.path, p.confidence, p.tag, category FROM prompt_events,
    (VALUES ('/Computers & Electronics/Programming', 0.9, 'programming'), ('/Arts & Entertainment', 0.6, 'arts'))
      AS p(path, confidence, tag)
  WHERE category <> 'others' AND (p.tag = 'programming' OR right(id, 1) IN ('1', '5'))`;

describe("month partitions of prompt_events and prompt_labels", () => {
  it("the migration keeps every event and label, and leaves the rollups as they were", async () => {
    const url = extraDatabaseUrl("partmig");
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(new URL(url).pathname.slice(1))}`);
    await admin.end();
    const older = migrationsUpTo("0021_sql_home");
    const pool = createPool(url, { max: 2 });
    try {
      const client = await pool.connect();
      await migrate(drizzle(client), { migrationsFolder: older });
      client.release();
      await pool.query(
        "INSERT INTO census_settings (id, k_min_events) VALUES (true, 3) ON CONFLICT (id) DO UPDATE SET k_min_events = 3",
      );
      await pool.query(OLD_EVENTS, [taxonomy.version]);
      await pool.query(OLD_LABELS);
      const events = (await pool.query("SELECT * FROM prompt_events ORDER BY id")).rows;
      const labels = (await pool.query("SELECT * FROM prompt_labels ORDER BY event_id, path")).rows;
      // the tables a database migrated to 0021 has (0030 added release_language_daily)
      const tables = ROLLUP_TABLES.filter((t) => t !== "release_language_daily");
      const before = await rollups(pool, tables);
      expect(labels.length).toBeGreaterThan(250);

      await runMigrations(url, createLogger("silent"));

      expect((await pool.query("SELECT * FROM prompt_events ORDER BY id")).rows).toEqual(events);
      const hours = new Map(events.map((e) => [e.id, e.observed_hour]));
      const moved = (await pool.query("SELECT * FROM prompt_labels ORDER BY event_id, path")).rows;
      expect(moved).toEqual(labels.map((l) => ({ ...l, observed_hour: hours.get(l.event_id) })));
      expect(await rollups(pool, tables)).toEqual(before);
      // each month in a partition of its own, DEFAULT empty
      expect((await homes(pool, "prompt_events")).filter((r) => r.home.endsWith("_default"))).toEqual([]);
      const months = (await monthPartitions(pool)).map((m) => m.month);
      expect(months.slice(0, 4)).toEqual(["2024-01-01", "2024-02-01", "2024-03-01", "2024-04-01"]);
      // and a rebuild from the moved rows gives the same rollups: labels joined to their events
      const after = await rollups(pool);
      await pool.query("SELECT census_rebuild_rollups()");
      expect(await rollups(pool)).toEqual(after);
      expect(await rollups(pool, tables)).toEqual(before);
    } finally {
      await pool.end();
      rmSync(older, { recursive: true, force: true });
      await dropExtraDatabase(url);
    }
  });

  it("this month and the next ones have partitions; maintenance is idempotent", async () => {
    await withDatabase("partahead", async (pool) => {
      const months = (await monthPartitions(pool)).map((m) => m.month);
      const now = new Date();
      const ahead = [0, 1, 2, 3].map((i) =>
        new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + i, 1)).toISOString().slice(0, 10),
      );
      expect(months).toEqual(expect.arrayContaining(ahead));
      expect(await ensurePartitions(pool)).toBe(0);
    });
  });

  it("a month that fills gets planner statistics, so a plan cached while it was empty stops scanning it", async () => {
    // The label foreign key's check and the labels trigger's join are plans a connection keeps:
    // made while this month was empty they scan it whole, a cost that grew with the day (8 ms a
    // 16-event write at 500 events, 75 ms at 35,000) until the table's statistics changed. On a
    // Postgres without autovacuum (these machines) only census_analyze_grown changes them.
    await withDatabase("partstats", async (pool) => {
      const table = (
        await pool.query<{ t: string }>(
          "SELECT 'prompt_events_' || to_char(now() AT TIME ZONE 'UTC', '\"p\"YYYY_MM') AS t",
        )
      ).rows[0]?.t as string;
      await pool.query(`ANALYZE ${table}`); // empty, as migration 0029 leaves a new database's months
      const writer = await pool.connect();
      try {
        // the shape of the key check: one row by primary key, as a plan the connection keeps
        await writer.query("SET plan_cache_mode = force_generic_plan");
        await writer.query(
          `PREPARE probe(text, timestamptz) AS SELECT 1 FROM ${table} WHERE id = $1 AND observed_hour = $2`,
        );
        const plan = async () =>
          (await writer.query("EXPLAIN EXECUTE probe('x', now())")).rows
            .map((r) => r["QUERY PLAN"])
            .join("\n");
        expect(await plan()).toMatch(/Seq Scan/);
        await pool.query(
          `INSERT INTO prompt_events (id, observed_hour, model, sample_rate, source, engine, outcome, category, mapping_version, char_count)
           SELECT 'grow-' || g, date_trunc('hour', now()), 'openai/gpt-5', 1, 'live', 'emulator', 'classified', 'programming', $1, 100
           FROM generate_series(1, 5000) g`,
          [taxonomy.version],
        );
        // the refresher every worker runs does it; the writers' counts reach the statistics
        // collector within a second or so, so poll
        const refresher = startRefresher(pool, 50, createLogger("silent"));
        try {
          const tuples = async () =>
            (
              await pool.query<{ n: number }>("SELECT reltuples::int AS n FROM pg_class WHERE relname = $1", [
                table,
              ])
            ).rows[0]?.n;
          await waitFor(async () => (await tuples()) === 5000);
        } finally {
          await refresher.stop();
        }
        expect(await plan()).toMatch(/Index (Only )?Scan/);
        expect(await analyzeGrown(pool)).toBe(0); // nothing grew since
      } finally {
        writer.release();
      }
    });
  });

  it("the pipeline's insert fires the rollup triggers on the partitioned parents, once per event", async () => {
    await withDatabase("parttrig", async (pool) => {
      const day = new Date().toISOString().slice(0, 10);
      await seed(pool, [
        {
          day,
          category: "programming",
          n: 3,
          labels: [{ path: "/Computers & Electronics/Programming", tag: "programming" }],
        },
      ]);
      const count = async (t: string) =>
        Number(
          (await pool.query(`SELECT coalesce(sum(events), 0) AS n FROM ${t} WHERE day = $1`, [day])).rows[0]
            .n,
        );
      expect(await count("rollup_category_daily")).toBe(3);
      expect(await count("rollup_tag_daily")).toBe(3);
      // a repeated event id (same hour, as a retried job has) inserts nothing and adds nothing
      const row = eventRow(
        "repeat-1",
        {
          observedHour: `${day}T05:00:00.000Z`,
          model: "openai/gpt-5",
          promptTokens: 10,
          completionTokens: 0,
          costUsd: null,
          sampleRate: 1,
          source: "live",
          chars: 100,
          redacted: false,
          textFrom: "prompt",
        } as Parameters<typeof eventRow>[1],
        { engine: "synthetic", outcome: "classified", language: "en", source: "google", labels: [] } as never,
        "programming",
        taxonomy.version,
      );
      const label = {
        path: "/Computers & Electronics/Programming",
        tag: "programming",
        category: "programming",
        confidence: 0.9,
        known: true,
      };
      expect(await storeEvent(pool, row, [label])).toBe(true);
      expect(await storeEvent(pool, row, [label])).toBe(false);
      expect(await count("rollup_category_daily")).toBe(4);
      expect(await count("rollup_tag_daily")).toBe(4);
      // each month's labels keep their foreign key: a label needs its event, and goes with it
      const labelsOf = async () =>
        Number(
          (await pool.query("SELECT count(*) AS n FROM prompt_labels WHERE event_id = 'repeat-1'")).rows[0].n,
        );
      expect(await labelsOf()).toBe(1);
      await expect(
        pool.query(
          "INSERT INTO prompt_labels (event_id, path, confidence, tag, category, observed_hour) VALUES ('nobody', '/A', 1, 'a', 'b', now())",
        ),
      ).rejects.toThrow(/foreign key/);
      await pool.query("DELETE FROM prompt_events WHERE id = 'repeat-1'");
      expect(await labelsOf()).toBe(0);
    });
  });

  it("an event of a far month lands in DEFAULT, then gets a month of its own; the rollups count it once", async () => {
    await withDatabase("partfar", async (pool) => {
      await seed(pool, [
        {
          day: "2011-03-15",
          category: "programming",
          n: 12,
          labels: [{ path: "/Computers & Electronics/Programming", tag: "programming" }],
        },
      ]);
      expect(new Set((await homes(pool, "prompt_events")).map((r) => r.home))).toEqual(
        new Set(["prompt_events_default"]),
      );
      const before = await rollups(pool);
      const answer = async () =>
        categoryStats(
          pool,
          {
            engine: "synthetic",
            from: "2011-03-01",
            to: "2011-04-01",
            interval: "month",
            weight: "requests",
          },
          K,
        );
      const answered = await answer();
      expect(answered.rows.length).toBeGreaterThan(0);

      expect(await ensurePartitions(pool)).toBe(1);
      expect(new Set((await homes(pool, "prompt_events")).map((r) => r.home))).toEqual(
        new Set(["prompt_events_p2011_03"]),
      );
      expect(new Set((await homes(pool, "prompt_labels")).map((r) => r.home))).toEqual(
        new Set(["prompt_labels_p2011_03"]),
      );
      expect(await rollups(pool)).toEqual(before);
      expect(await answer()).toEqual(answered);
    });
  });

  it("a write racing a month's split out of DEFAULT lands in the new month, never refused", async () => {
    await withDatabase("partrace", async (pool) => {
      const url = (pool as unknown as { options: { connectionString: string } }).options.connectionString;
      const split = new pg.Client({ connectionString: url });
      await split.connect();
      try {
        // the split holds its locks until it commits; a write of that month starts meanwhile
        await split.query("BEGIN");
        await split.query("SELECT census_month_partition('2001-05-01')");
        const row = eventRow(
          "race-1",
          {
            observedHour: "2001-05-10T05:00:00.000Z",
            model: "openai/gpt-5",
            promptTokens: 1,
            completionTokens: 0,
            costUsd: null,
            sampleRate: 1,
            source: "live",
            chars: 10,
            redacted: false,
            textFrom: "prompt",
          },
          { engine: "emulator", outcome: "classified", labels: [], language: "en", source: "google" },
          "programming",
          taxonomy.version,
        );
        const write = storeEvent(pool, row, []).then(
          (ok) => ({ ok, error: null as unknown }),
          (error: unknown) => ({ ok: false, error }),
        );
        const deadline = Date.now() + 60_000;
        for (;;) {
          const { rows } = await split.query(
            "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
          );
          if (rows[0].n > 0 || Date.now() > deadline) break;
          await new Promise((r) => setTimeout(r, 20));
        }
        await split.query("COMMIT");
        // without the parents' lock the write had routed to DEFAULT and failed its new constraint
        expect(await write).toEqual({ ok: true, error: null });
        expect((await homes(pool, "prompt_events")).find((h) => h.id === "race-1")?.home).toBe(
          "prompt_events_p2001_05",
        );
      } finally {
        await split.query("ROLLBACK").catch(() => {});
        await split.end();
      }
    });
  });

  it("retention drops exactly the months before the last N; the kept months' answers do not change", async () => {
    await withDatabase("partkeep", async (pool) => {
      const now = new Date();
      const monthsAgo = (n: number) =>
        new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - n, 10)).toISOString().slice(0, 10);
      const label = [{ path: "/Computers & Electronics/Programming", tag: "programming" }];
      await seed(
        pool,
        [13, 12, 11, 2, 0].map((ago) => ({
          day: monthsAgo(ago),
          category: "programming",
          n: 11,
          labels: label,
        })),
      );
      await ensurePartitions(pool);
      const range = { engine: "synthetic" as const, interval: "month" as const, weight: "requests" as const };
      const kept = { ...range, from: keptFrom(now, 12), to: monthsAgo(-1) };
      const all = { ...range, from: `${monthsAgo(14).slice(0, 8)}01`, to: monthsAgo(-1) };
      const keptAnswer = await categoryStats(pool, kept, K);
      const allAnswer = await categoryStats(pool, all, K);
      const before = await rollups(pool);

      const drop = monthsToDrop(
        (await monthPartitions(pool)).map((m) => m.month),
        now,
        12,
      );
      expect(drop).toEqual([monthsAgo(13), monthsAgo(12)].map((d) => `${d.slice(0, 8)}01`));
      for (const m of drop) expect(await dropMonth(pool, m)).toBe(true);

      const left = (
        await pool.query(
          "SELECT DISTINCT to_char(observed_hour, 'YYYY-MM') AS m FROM prompt_events ORDER BY 1",
        )
      ).rows;
      expect(left.map((r) => r.m)).toEqual([11, 2, 0].map((ago) => monthsAgo(ago).slice(0, 7)));
      expect(Number((await pool.query("SELECT count(*) AS n FROM prompt_labels")).rows[0].n)).toBe(33);
      // the rollups keep the dropped months' aggregates: every answer is as it was, the kept
      // months' and the whole range's, and still after a rebuild from the events kept
      expect(await rollups(pool)).toEqual(before);
      expect(await categoryStats(pool, kept, K)).toEqual(keptAnswer);
      await pool.query("SELECT census_rebuild_rollups()");
      expect(await rollups(pool)).toEqual(before);
      expect(await categoryStats(pool, all, K)).toEqual(allAnswer);
    });
  });
});
