import { rmSync } from "node:fs";
import { drizzle } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { createEventWriter } from "../src/classification/event-writer";
import type { EventRow } from "../src/classification/store-event";
import { bootstrapDatabase } from "../src/db/bootstrap";
import { createPool } from "../src/db/client";
import { runMigrations } from "../src/db/migrate";
import { createLogger } from "../src/platform/logger";
import { refreshReleases } from "../src/stats/refresh";
import { loadTaxonomy } from "../src/taxonomy/load";
import { migrationsUpTo } from "./support/migrations";
import { waitFor } from "./support/stack";
import { dropExtraDatabase, extraDatabaseUrl, TEST_DATABASE_URL, useOwnDatabase } from "./support/urls";

// Issue 19, item 3: analytics.coverage by language reads release_language_daily, the released
// language rows summed per period, outcome and language, instead of summing the rows themselves.
// Its answers must be exactly those the rows give, for every window and interval, after a full
// rebuild and after incremental refreshes, at every floor grain. A database of its own: the
// rebuilds and grain changes re-cut every unit.

const taxonomy = loadTaxonomy();
let pool: pg.Pool;
useOwnDatabase("coverage_languages", { taxonomy, kMinEvents: 5, poolMax: 4 }, (p) => {
  pool = p;
});

/** The same pseudo-random sequence every run. */
function random(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1_103_515_245 + 12_345) % 2_147_483_648;
    return s / 2_147_483_648;
  };
}

function pick<T>(r: number, weighted: [T, number][]): T {
  let left = r * weighted.reduce((s, [, w]) => s + w, 0);
  for (const [v, w] of weighted) {
    left -= w;
    if (left < 0) return v;
  }
  return weighted[0]?.[0] as T;
}

// rare languages and models end up hidden and pooled (language NULL) in some units, shown in others
const LANGUAGES: [string, number][] = [
  ["en", 50],
  ["de", 20],
  ["fr", 10],
  ["ja", 8],
  ["es", 6],
  ["ar", 4],
  ["sw", 2],
];
const MODELS: [string, number][] = [
  ["a/one", 40],
  ["a/two", 20],
  ["b/three", 20],
  ["c/four", 15],
  ["d/rare", 5],
];
const CATEGORIES: [string, number][] = [
  ["programming", 4],
  ["roleplay", 3],
  ["health", 2],
  ["finance", 1],
];
const OUTCOMES: [EventRow["outcome"], number][] = [
  ["classified", 70],
  ["unsupported_language", 20],
  ["too_short", 10],
];

/** n events from 2013-03-25 (a Monday) over `days` days, across a month's end. */
function events(prefix: string, n: number, days: number, seed: number): EventRow[] {
  const next = random(seed);
  return Array.from({ length: n }, (_, i) => {
    const outcome = pick(next(), OUTCOMES);
    return {
      id: `${prefix}-${i}`,
      observedHour: new Date(Date.UTC(2013, 2, 25 + Math.floor(next() * days), Math.floor(next() * 24))),
      model: pick(next(), MODELS),
      promptTokens: 100,
      completionTokens: 20,
      costUsd: "0.001",
      // 0.3: estimates that are not whole numbers, so sums in another order could differ
      sampleRate: next() < 0.5 ? 0.5 : 0.3,
      source: "live",
      language: pick(next(), LANGUAGES),
      engine: "synthetic",
      outcome,
      category: outcome === "classified" ? pick(next(), CATEGORIES) : "others",
      mappingVersion: taxonomy.version,
      charCount: 100,
      answerSource: "google",
      redacted: false,
      textFrom: "prompt",
    };
  });
}

async function write(rows: EventRow[], into: pg.Pool = pool) {
  const writer = createEventWriter(into);
  await Promise.all(rows.map((r) => writer.write(r, [])));
  await writer.close();
}

// analytics.coverage by language as it was before the sums: the released language rows summed
const FROM_ROWS = `
  WITH w AS (SELECT analytics.window_from($4, $2) AS f, analytics.window_to($4, $3) AS t),
  cells AS (
    SELECT analytics.bucket($4, w.f, b.day) AS period, b.outcome, b.value AS language,
      sum(b.events)::bigint AS events, sum(b.est_requests) AS est_requests, sum(b.var_requests) AS var_requests
    FROM w, census_released_breakdown('language', $1, w.f, w.t) b
    GROUP BY 1, 2, 3
  )
  SELECT period, outcome, language, events, analytics.sig(est_requests) AS est_requests,
    analytics.share(est_requests, sum(est_requests) OVER (PARTITION BY period)) AS share_requests,
    analytics.sig(var_requests) AS var_requests
  FROM cells ORDER BY period, outcome, language NULLS LAST`;
const FROM_SUMS = "SELECT * FROM analytics.coverage($1, $2, $3, $4, true)";

const WINDOWS = [
  ["-infinity", "infinity"],
  ["2013-03-25", "2013-04-15"],
  ["2013-03-27", "2013-04-03"],
  ["2013-04-01", "2013-04-02"],
  ["2013-03-31", "2013-04-08"],
];
const INTERVALS = ["day", "week", "month", "quarter", "year", "range"];

/** Every window and interval's answer from the sums, each checked against the rows' answer. */
async function answers(source: pg.Pool = pool): Promise<string> {
  const all: unknown[] = [];
  for (const [from, to] of WINDOWS)
    for (const interval of INTERVALS) {
      const params = ["synthetic", from, to, interval];
      const { rows: expected } = await source.query(FROM_ROWS, params);
      const { rows: got } = await source.query(FROM_SUMS, params);
      expect(got, `${from}..${to} by ${interval}`).toEqual(expected);
      all.push(got);
    }
  return JSON.stringify(all);
}

/** The sums' rows, events exact (estimates are compared as answers, to 12 digits). */
async function sums(): Promise<string[]> {
  const { rows } = await pool.query<{ r: string }>(
    "SELECT concat_ws('|', engine, day, outcome, language, events) AS r FROM release_language_daily ORDER BY 1",
  );
  return rows.map((x) => x.r);
}

describe("coverage by language from release_language_daily", () => {
  it("answers exactly as the released language rows do, after incremental refreshes and rebuilds", async () => {
    await write(events("first", 2500, 16, 1));
    await refreshReleases(pool, true);
    const shape = await pool.query<{ rows: number; sums: number; pooled: number; outcomes: number }>(
      `SELECT (SELECT count(*)::int FROM release_breakdown_daily WHERE kind = 'language') AS rows,
        (SELECT count(*)::int FROM release_language_daily) AS sums,
        (SELECT count(*)::int FROM release_language_daily WHERE language IS NULL) AS pooled,
        (SELECT count(DISTINCT outcome)::int FROM release_language_daily) AS outcomes`,
    );
    const s = shape.rows[0];
    // not vacuous: pooled languages, several outcomes, and fewer sums than rows
    expect(s?.pooled).toBeGreaterThan(0);
    expect(s?.outcomes).toBe(3);
    expect(s?.sums).toBeLessThan((s?.rows ?? 0) / 2);
    await answers();

    // more events into the same days (shown languages change, some pools clear k) and new days
    await write(events("second", 1500, 20, 2));
    await refreshReleases(pool, true);
    const incremental = await answers();
    const incrementalSums = await sums();
    await pool.query("SELECT census_rebuild_releases()");
    expect(await sums()).toEqual(incrementalSums);
    expect(await answers()).toBe(incremental);
  });

  it("stays equal when the floor's grain or k re-cut every unit", async () => {
    for (const change of [
      "floor_grain = 'week'",
      "floor_grain = 'month'",
      "k_min_events = 12",
      "floor_grain = 'day'",
    ]) {
      await pool.query(`UPDATE census_settings SET ${change}`);
      const { rows } = await pool.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM release_language_daily",
      );
      expect(rows[0]?.n, change).toBeGreaterThan(0);
      await answers();
    }
    // and incremental refreshes at the week's grain
    await pool.query("UPDATE census_settings SET floor_grain = 'week', k_min_events = 5");
    await write(events("third", 800, 12, 3));
    await refreshReleases(pool, true);
    const incremental = await answers();
    await pool.query("SELECT census_rebuild_releases()");
    expect(await answers()).toBe(incremental);
  });

  it("two refreshers of one period's categories at once: the second sums once the first commits", async () => {
    await pool.query("UPDATE census_settings SET floor_grain = 'day', k_min_events = 5");
    const more = events("fourth", 60, 1, 4).map((e, i) => ({
      ...e,
      observedHour: new Date(Date.UTC(2013, 2, 26, 12)),
      outcome: "classified" as const,
      category: i % 2 ? "programming" : "roleplay",
      language: i % 3 ? "pt" : "en",
    }));
    await write(more);
    const refresh = (category: string) =>
      `SELECT census_refresh_releases('synthetic', 'day', ARRAY['2013-03-26']::date[], ARRAY['classified'],
        ARRAY['${category}'], ARRAY['unit', 'tag', 'language'])`;
    const [a, b] = [await pool.connect(), await pool.connect()];
    try {
      await a.query("BEGIN");
      await a.query(refresh("programming"));
      const { rows: pid } = await b.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
      await b.query("BEGIN");
      const second = b.query(refresh("roleplay"));
      // the second waits for the first (without the sums' lock: on the first's rows, then it
      // fails on the unique key, or would sum without the first's category)
      await waitFor(async () => {
        const { rows: waiting } = await pool.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM pg_locks WHERE pid = $1 AND NOT granted",
          [pid[0]?.pid],
        );
        return (waiting[0]?.n ?? 0) > 0;
      }, 20_000);
      await a.query("COMMIT");
      await second;
      await b.query("COMMIT");
    } finally {
      a.release();
      b.release();
    }
    // both partitions the write marked were refreshed above: a rebuild must find the same sums
    const concurrent = await sums();
    expect(concurrent.some((r) => r.includes("|pt|"))).toBe(true);
    const answered = await answers();
    await pool.query("SELECT census_rebuild_releases()");
    expect(await sums()).toEqual(concurrent);
    expect(await answers()).toBe(answered);
  });

  it("migration 0030 sums the language rows a database released before it", async () => {
    const older = migrationsUpTo("0029_partition_events");
    const oldUrl = extraDatabaseUrl("coverage_backfill");
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(new URL(oldUrl).pathname.slice(1))}`);
    await admin.end();
    const old = createPool(oldUrl, { max: 2 });
    try {
      const client = await old.connect();
      await migrate(drizzle(client), { migrationsFolder: older });
      client.release();
      await bootstrapDatabase(old, { taxonomy, kMinEvents: 5 });
      await write(events("old", 1500, 16, 5), old);
      await refreshReleases(old, true);
      await runMigrations(oldUrl, createLogger("silent"));
      const { rows } = await old.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM release_language_daily",
      );
      expect(rows[0]?.n).toBeGreaterThan(0);
      await answers(old);
    } finally {
      await old.end();
      rmSync(older, { recursive: true, force: true });
      await dropExtraDatabase(oldUrl);
    }
  });
});
