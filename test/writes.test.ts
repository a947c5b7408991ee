import type pg from "pg";
import { describe, expect, it } from "vitest";
import { createEventWriter } from "../src/classification/event-writer";
import { type EventRow, storeEvents } from "../src/classification/store-event";
import { isDataError } from "../src/platform/errors";
import { createLogger } from "../src/platform/logger";
import { createMetrics, trackRefreshLag } from "../src/platform/metrics";
import { refreshLag, refreshReleases, startRefresher } from "../src/stats/refresh";
import { loadTaxonomy } from "../src/taxonomy/load";
import { waitForProgress } from "./support/progress";
import { useOwnDatabase } from "./support/urls";

// Issue 19 item 1, writes that stay flat: the worker's events go in batches (event-writer.ts), and
// the privacy floor's units are refreshed outside the writes (release_dirty, census_refresh_dirty).
// A database of its own: the lag must reach exactly 0, and a rebuild compares every unit.

const taxonomy = loadTaxonomy();
let pool: pg.Pool;
useOwnDatabase("writes", { taxonomy, kMinEvents: 10, poolMax: 12 }, (p) => {
  pool = p;
});

const MODELS = ["a/one", "a/two", "b/three", "c/four", "c/five"];
const CATEGORIES = ["programming", "roleplay", "health"];

function event(id: string, i: number, over: Partial<EventRow> = {}): EventRow {
  return {
    id,
    observedHour: new Date(Date.UTC(2014, 2, 3 + (i % 4), i % 24)),
    model: MODELS[i % MODELS.length] ?? "a/one",
    promptTokens: 100 + i,
    completionTokens: 20,
    costUsd: "0.001",
    sampleRate: 0.5,
    source: "live",
    language: i % 3 ? "en" : "de",
    engine: "synthetic",
    outcome: "classified",
    category: CATEGORIES[(i * 7) % CATEGORIES.length] ?? "programming",
    mappingVersion: taxonomy.version,
    charCount: 100,
    answerSource: "google",
    redacted: false,
    textFrom: "prompt",
    ...over,
  };
}

const labelsOf = (e: EventRow) => [
  {
    path: `/x/${e.category}`,
    tag: `t-${e.id.length % 3}`,
    category: e.category,
    confidence: 0.9,
    known: true,
  },
];

/** Counts the event INSERT statements sent through a pool. */
function counting(p: pg.Pool) {
  const seen = { inserts: 0 };
  const query = ((text: string, params?: unknown[]) => {
    if (text.includes("INSERT INTO prompt_events")) seen.inserts += 1;
    return p.query(text, params);
  }) as pg.Pool["query"];
  return { pool: { query }, seen };
}

/** Every released unit, breakdown row and language sum, as one comparable string. */
async function releases(): Promise<string> {
  const { rows } = await pool.query<{ u: string; b: string; l: string }>(`SELECT
    (SELECT md5(coalesce(string_agg(concat_ws('|', engine, day, outcome, category, unit_author, unit_model, events, tokens), ',' ORDER BY engine, day, outcome, category, unit_author, unit_model), '')) FROM release_unit_daily) AS u,
    (SELECT md5(coalesce(string_agg(concat_ws('|', kind, engine, day, outcome, category, unit_author, unit_model, value, events), ',' ORDER BY kind, engine, day, outcome, category, unit_author, unit_model, value), '')) FROM release_breakdown_daily) AS b,
    (SELECT md5(coalesce(string_agg(concat_ws('|', engine, day, outcome, language, events), ',' ORDER BY engine, day, outcome, language), '')) FROM release_language_daily) AS l`);
  return `${rows[0]?.u}/${rows[0]?.b}/${rows[0]?.l}`;
}

describe("the batching event writer", () => {
  it("writes many concurrent jobs' events in few statements, each settled once committed", async () => {
    const { pool: spied, seen } = counting(pool);
    const writer = createEventWriter(spied);
    const rows = Array.from({ length: 200 }, (_, i) => event(`batch-${i}`, i));
    const inserted = await Promise.all(rows.map((r) => writer.write(r, labelsOf(r))));
    expect(inserted.every((x) => x)).toBe(true);
    expect(seen.inserts).toBeLessThanOrEqual(20); // one statement per job would be 200
    const { rows: stored } = await pool.query<{ n: number; l: number }>(
      "SELECT count(*)::int AS n, (SELECT count(*)::int FROM prompt_labels WHERE event_id LIKE 'batch-%') AS l FROM prompt_events WHERE id LIKE 'batch-%'",
    );
    expect(stored[0]).toEqual({ n: 200, l: 200 });
    // idempotent: the same ids again insert nothing
    const again = await Promise.all(rows.slice(0, 50).map((r) => writer.write(r, labelsOf(r))));
    expect(again.some((x) => x)).toBe(false);
    await writer.close();
  });

  it("a row Postgres refuses fails its own job only", async () => {
    const writer = createEventWriter(pool, { maxWaitMs: 50 });
    const rows = Array.from({ length: 30 }, (_, i) =>
      event(`poison-${i}`, i, i === 17 ? { sampleRate: 0 } : {}),
    );
    const results = await Promise.allSettled(rows.map((r) => writer.write(r, labelsOf(r))));
    const failed = results.flatMap((r, i) => (r.status === "rejected" ? [i] : []));
    expect(failed).toEqual([17]);
    const bad = results[17];
    expect(bad?.status === "rejected" && isDataError(bad.reason)).toBe(true);
    const { rows: stored } = await pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM prompt_events WHERE id LIKE 'poison-%'",
    );
    expect(stored[0]?.n).toBe(29);
    await writer.close();
  });
});

describe("writes after a bulk load on the same connection", () => {
  it("a one-event write does not reuse a plan made for 30,000 labels", async () => {
    // The labels trigger's mark of its partitions joins the new labels to prompt_events. Kept by
    // the connection, that plan was the first batch's: a hash join over every event after a bulk
    // load, reused for each later one-event write (343 ms a write with 1M events stored)
    const client = await pool.connect();
    try {
      await client.query(
        `INSERT INTO prompt_events (id, observed_hour, model, sample_rate, source, engine, outcome, category, mapping_version, char_count)
         SELECT 'bulk-' || g, date_trunc('hour', now()), 'a/one', 1, 'live', 'synthetic', 'classified', 'health', $1, 100
         FROM generate_series(1, 30000) g`,
        [taxonomy.version],
      );
      await client.query(
        `INSERT INTO prompt_labels (event_id, path, confidence, tag, category, observed_hour)
         SELECT 'bulk-' || g, '/x/health', 0.9, 't-1', 'health', date_trunc('hour', now()) FROM generate_series(1, 30000) g`,
      );
      await client.query("LOAD 'auto_explain'");
      await client.query(`SET auto_explain.log_min_duration = 0; SET auto_explain.log_nested_statements = on;
        SET auto_explain.log_level = notice; SET client_min_messages = notice`);
      const plans: string[] = [];
      client.on("notice", (n) => plans.push(n.message ?? ""));
      const one = event("after-bulk", 1, {
        observedHour: new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000),
      });
      await storeEvents(client, [{ event: one, labels: labelsOf(one) }]);
      const mark = plans.filter((p) => p.includes("INSERT INTO release_dirty") && p.includes("new_labels"));
      expect(mark.length).toBe(1);
      expect(mark[0]).toMatch(/Index Scan using prompt_events_p\d{4}_\d{2}_pkey/);
      expect(mark[0]).not.toMatch(/Hash Join/);
    } finally {
      client.removeAllListeners("notice");
      await client.query("RESET ALL").catch(() => {});
      client.release();
    }
  });
});

describe("the release refresher", () => {
  it("drains every dirty partition; concurrent refreshers leave exactly what a rebuild derives", async () => {
    await refreshReleases(pool, true);
    // four writers and three refreshers at once, then one last refresh
    let writing = true;
    const refreshers = [false, true, false].map(async (wait) => {
      while (writing) await refreshReleases(pool, wait);
    });
    const writers = Array.from({ length: 4 }, async (_, w) => {
      const writer = createEventWriter(pool);
      await Promise.all(
        Array.from({ length: 300 }, (_, i) => {
          const r = event(`conc-${w}-${i}`, i * 4 + w);
          return writer.write(r, labelsOf(r));
        }),
      );
      await writer.close();
    });
    await Promise.all(writers);
    writing = false;
    await Promise.all(refreshers);
    await refreshReleases(pool, true);
    expect(await refreshLag(pool)).toEqual({ partitions: 0, seconds: 0 });
    const incremental = await releases();
    await pool.query("SELECT census_rebuild_rollups()");
    expect(await releases()).toBe(incremental);
    const { rows } = await pool.query<{ n: number }>(
      "SELECT sum(events)::int AS n FROM release_unit_daily WHERE engine = 'synthetic'",
    );
    expect(rows[0]?.n).toBeGreaterThan(1000); // most of the 1,200 + 200 events clear k
  });

  it("a backfill's thousands of marked partitions refresh in one run, without a lock per partition", async () => {
    // 20,000 partitions of an engine of their own (one per day since 1970 and two outcomes):
    // with a lock each, held to commit, the shared lock table (64 a connection by default)
    // overflowed and every later run failed the same way
    await pool.query(
      `INSERT INTO release_dirty (engine, day, outcome, category)
       SELECT 'bulk', date '1970-01-01' + (g / 2), (ARRAY['classified', 'too_short'])[1 + g % 2], 'programming'
       FROM generate_series(0, 19999) g`,
    );
    const left = async () =>
      (await pool.query<{ n: number }>("SELECT count(*)::int AS n FROM release_dirty WHERE engine = 'bulk'"))
        .rows[0]?.n;
    expect(await refreshReleases(pool)).toBeGreaterThanOrEqual(20_000);
    expect(await left()).toBe(0);
    await pool.query(
      `INSERT INTO release_dirty (engine, day, outcome, category)
       SELECT 'bulk', date '1970-01-01' + g, 'classified', 'programming' FROM generate_series(0, 9999) g`,
    );
    expect(await refreshReleases(pool, true)).toBeGreaterThanOrEqual(10_000);
    expect(await left()).toBe(0);
  });

  it("the refresher in a worker process takes the lag metric to 0", async () => {
    const metrics = createMetrics();
    trackRefreshLag(metrics, () => refreshLag(pool));
    const scrape = async (name: string) =>
      Number(new RegExp(`^${name} (\\S+)$`, "m").exec(await metrics.registry.metrics())?.[1]);
    const writer = createEventWriter(pool);
    await Promise.all(
      Array.from({ length: 40 }, (_, i) => {
        const r = event(`lag-${i}`, i, { observedHour: new Date(Date.UTC(2014, 5, 2 + (i % 3))) });
        return writer.write(r, labelsOf(r));
      }),
    );
    await writer.close();
    expect(await scrape("census_release_dirty_partitions")).toBeGreaterThan(0);
    const refresher = startRefresher(pool, 100, createLogger("silent"));
    try {
      await waitForProgress(
        () => scrape("census_release_dirty_partitions"),
        (n) => n === 0,
        { what: "dirty partitions refreshed" },
      );
      expect(await scrape("census_release_refresh_lag_seconds")).toBe(0);
    } finally {
      await refresher.stop();
    }
    const { rows } = await pool.query<{ n: number }>(
      "SELECT sum(events)::int AS n FROM release_unit_daily WHERE day >= '2014-06-02' AND day < '2014-06-05'",
    );
    expect(rows[0]?.n).toBe(40);
  });
});
