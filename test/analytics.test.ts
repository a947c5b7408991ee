import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bootstrapDatabase, registerTaxonomy } from "../src/db/bootstrap";
import { createPool } from "../src/db/client";
import { writeSyntheticEvents } from "../src/demo/synthetic";
import { refreshReleases } from "../src/stats/refresh";
import { snapWindow } from "../src/stats/window";
import { loadTaxonomy } from "../src/taxonomy/load";
import type { Taxonomy } from "../src/taxonomy/mapping";
import { remap } from "../src/taxonomy/remap";
import type { Interval } from "../src/vocabulary";
import { seed } from "./support/seed";
import { createExtraDatabase, dropExtraDatabase, TEST_DATABASE_URL } from "./support/urls";

// The SQL analysts use: rollups kept current by triggers, the analytics functions and views,
// the privacy floor, the analyst role, remapping. Data lives in 2019 so no other file sees it.

let pool: pg.Pool;
const taxonomy = loadTaxonomy();
const K = 10;

beforeAll(async () => {
  pool = createPool(TEST_DATABASE_URL, { max: 4 });
  await bootstrapDatabase(pool, { taxonomy, kMinEvents: K });
});
afterAll(() => pool.end());

async function q<T = Record<string, unknown>>(sql: string, params: unknown[] = []) {
  return (await pool.query(sql, params)).rows as T[];
}

describe("rollups", () => {
  // The released units too: kept per partition as writes land (from every file, concurrently),
  // they must be what a rebuild from scratch derives.
  it("are kept current as events land, and a rebuild gives the same numbers", async () => {
    const before = await q<{ events: string; est: number }>(
      "SELECT coalesce(sum(events),0) AS events, coalesce(sum(est_tokens),0) AS est FROM rollup_category_daily WHERE day = '2019-01-07' AND engine = 'synthetic'",
    );
    await seed(pool, [
      {
        day: "2019-01-07",
        category: "programming",
        n: 12,
        promptTokens: 100,
        completionTokens: 50,
        sampleRate: 0.25,
      },
    ]);
    const after = await q<{ events: string; est: number }>(
      "SELECT sum(events) AS events, sum(est_tokens) AS est FROM rollup_category_daily WHERE day = '2019-01-07' AND engine = 'synthetic'",
    );
    expect(Number(after[0]?.events) - Number(before[0]?.events)).toBe(12);
    expect(Number(after[0]?.est) - Number(before[0]?.est)).toBeCloseTo(12 * 150 * 4);
    // other files write events concurrently: hold them off while comparing
    const client = await pool.connect();
    try {
      await client.query("BEGIN");
      await client.query("LOCK TABLE prompt_events IN SHARE MODE");
      // the units of what is written, once refreshed (writes leave that to the refresher)
      await refreshReleases(client, true);
      const totals = async () =>
        (
          await client.query(
            `SELECT sum(events)::int AS c, sum(est_tokens)::float8 AS t, (SELECT sum(events)::int FROM rollup_tag_daily) AS g, (SELECT sum(events)::int FROM rollup_language_daily) AS l,
               (SELECT md5(coalesce(string_agg(concat_ws('|', engine, day, outcome, category, unit_author, unit_model, events), ',' ORDER BY engine, day, outcome, category, unit_author, unit_model), '')) FROM release_unit_daily) AS units,
               (SELECT md5(coalesce(string_agg(concat_ws('|', kind, engine, day, outcome, category, unit_author, unit_model, value, events), ',' ORDER BY kind, engine, day, outcome, category, unit_author, unit_model, value), '')) FROM release_breakdown_daily) AS breakdowns
             FROM rollup_category_daily`,
          )
        ).rows[0] as { c: number; t: number; g: number; l: number; units: string; breakdowns: string };
      const live = await totals();
      await client.query("SELECT census_rebuild_rollups()");
      const rebuilt = await totals();
      expect({ ...rebuilt, t: 0 }).toEqual({ ...live, t: 0 });
      // sums of doubles depend on their order (and other files store events weighing up to 1e18,
      // at the contract's limits): equal to 12 significant digits
      expect(Math.abs(rebuilt.t - live.t)).toBeLessThanOrEqual(Math.abs(live.t) * 1e-12 + 0.01);
      await client.query("COMMIT");
    } finally {
      client.release();
    }
  });

  it("a write that overlaps another in the same partition still leaves the units its rows give", async () => {
    // T1 writes a model's event and holds its transaction open; T2 writes another model's event
    // of the same day, outcome and category (it waits for T1's rollup rows, not for a refresh).
    // Writes no longer refresh units: a refresh while T1 is open must not lose T1's mark, and
    // the refresh after both must derive the units from both rows.
    const units = (sql: string) =>
      q(`SELECT unit_author, unit_model, sum(events)::int AS events FROM ${sql}
         GROUP BY 1, 2 ORDER BY 1 NULLS LAST, 2 NULLS LAST`);
    const cell = { day: "2019-01-21", category: "programming" };
    await seed(pool, [
      { ...cell, model: "w0/a", n: 9 },
      { ...cell, model: "w1/b", n: 12 },
    ]);
    const t1 = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await t1.connect();
    let writing: Promise<unknown> | undefined;
    try {
      await t1.query("BEGIN");
      await seed(t1 as unknown as pg.Pool, [{ ...cell, model: "w0/a" }], undefined, false); // w0/a reaches k
      writing = seed(pool, [{ ...cell, model: "w2/c" }], undefined, false);
      await refreshReleases(pool, true); // T1's mark is not committed: it must stay for the next
      await t1.query("COMMIT");
      await writing;
    } finally {
      await writing?.catch(() => {});
      await t1.end();
    }
    await refreshReleases(pool, true);
    const kept = await units(
      "census_released_cells('synthetic', '2019-01-21', '2019-01-22') WHERE category = 'programming'",
    );
    expect(kept).toEqual(
      await units(
        "census_release_cells_of('synthetic', 'day', ARRAY['2019-01-21'::date], ARRAY['classified'], ARRAY['programming'])",
      ),
    );
    expect(kept).toEqual([
      { unit_author: "w0", unit_model: "w0/a", events: 10 },
      { unit_author: "w1", unit_model: "w1/b", events: 12 },
    ]);
  });

  it("COPY writes (the synthetic generator) fire the same triggers", async () => {
    const n = 2000;
    await writeSyntheticEvents(pool, taxonomy, {
      count: n,
      from: new Date("2019-03-04T00:00:00Z"),
      to: new Date("2019-03-11T00:00:00Z"),
      idPrefix: "copytest",
      chunk: 700,
    });
    const [row] = await q<{ events: number; labels: number }>(
      `SELECT (SELECT sum(events)::int FROM rollup_category_daily WHERE engine = 'synthetic' AND day >= '2019-03-04' AND day < '2019-03-11') AS events,
              (SELECT count(*)::int FROM prompt_events WHERE id LIKE 'copytest%') AS labels`,
    );
    expect(row).toEqual({ events: n, labels: n });
  });
});

describe("analytics functions and the privacy floor", () => {
  beforeAll(async () => {
    // week of 2019-05-06: programming 24 anthropic + 6 x-ai (alone on its day), roleplay 12,
    // legal 4, others 15; week of 2019-05-13: small models pooled by author, then by category
    await seed(pool, [
      {
        day: "2019-05-06",
        category: "programming",
        model: "anthropic/claude",
        n: 24,
        labels: [{ path: "/Computers & Electronics/Programming/Other", tag: "programming-other" }],
      },
      {
        day: "2019-05-07",
        category: "programming",
        model: "x-ai/grok",
        n: 6,
        language: "ja",
        labels: [
          { path: "/Computers & Electronics/Programming/Development Tools", tag: "development-tools" },
        ],
      },
      {
        day: "2019-05-08",
        category: "roleplay",
        model: "openai/gpt",
        n: 12,
        promptTokens: 1000,
        labels: [
          { path: "/Games/Roleplaying Games", tag: "roleplaying-games" },
          { path: "/Adult", tag: "adult", category: "adult" },
        ],
      },
      { day: "2019-05-09", category: "legal", model: "openai/gpt", n: 4 },
      { day: "2019-05-10", category: "others", model: "openai/gpt", n: 15 },
      // 2019-05-14, programming: a's two models (4 + 7) pool to 11 under a; b (3) and c (8) are
      // each under k even pooled by author, and pool to 11 under the category
      { day: "2019-05-14", category: "programming", model: "a/m1", n: 4 },
      { day: "2019-05-14", category: "programming", model: "a/m2", n: 7, language: "ja" },
      { day: "2019-05-14", category: "programming", model: "b/m", n: 3 },
      { day: "2019-05-14", category: "programming", model: "c/m", n: 8 },
    ]);
  });

  const week = ["synthetic", "2019-05-06", "2019-05-13", "week"];
  const week2 = ["synthetic", "2019-05-13", "2019-05-20", "week"];

  it("category_share: released units only, shares among the named categories", async () => {
    const rows = await q<Record<string, unknown>>(
      "SELECT * FROM analytics.category_share($1, $2, $3, $4)",
      week,
    );
    const by = Object.fromEntries(rows.map((r) => [r.category, r]));
    // legal (4) and x-ai's programming day (6) are in no released unit: in no number at all
    expect(Object.keys(by).sort()).toEqual(["others", "programming", "roleplay"]);
    expect(by.others).toMatchObject({ events: "15", share_tokens: null });
    expect(by.programming).toMatchObject({ events: "24", est_requests: 48, tokens: "2400" });
    // shares are over programming + roleplay only: 4800 vs 24000 estimated tokens
    expect(by.programming?.share_tokens).toBeCloseTo(4800 / 28800);
    expect(by.roleplay?.share_tokens).toBeCloseTo(24000 / 28800);
    expect(by.programming?.share_requests).toBeCloseTo(24 / 36);
    expect(rows.reduce((s, r) => s + Number(r.share_tokens ?? 0), 0)).toBeCloseTo(1);
  });

  it("releases small models pooled by author, then by category, and names only what clears k", async () => {
    const mix = await q<Record<string, unknown>>(
      "SELECT author, category, events, share_of_category_requests FROM analytics.author_mix($1, $2, $3, $4)",
      week2,
    );
    expect(mix).toEqual([
      { author: "a", category: "programming", events: "11", share_of_category_requests: 0.5 },
      { author: null, category: "programming", events: "11", share_of_category_requests: 0.5 },
    ]);
    const total = await q("SELECT category, events FROM analytics.category_share($1, $2, $3, $4)", week2);
    expect(total).toEqual([{ category: "programming", events: "22" }]);
    const byAuthor = (author: string) =>
      q("SELECT events FROM analytics.category_share($1, $2, $3, $4, p_author => $5)", [...week2, author]);
    expect(await byAuthor("a")).toEqual([{ events: "11" }]);
    expect(await byAuthor("c")).toEqual([]); // c's 8 are in the category's pool, not under c
    const byModel = await q(
      "SELECT events FROM analytics.category_share($1, $2, $3, $4, p_model => 'a/m2')",
      week2,
    );
    expect(byModel).toEqual([]); // a/m2's 7 are in a's pool, not under a/m2
  });

  it("author_mix: an author under the floor is named nowhere", async () => {
    const rows = await q<Record<string, unknown>>(
      "SELECT author, events FROM analytics.author_mix($1, $2, $3, $4) WHERE category = 'programming'",
      week,
    );
    expect(rows).toEqual([{ author: "anthropic", events: "24" }]);
  });

  it("language_mix: languages released inside units, the rest pooled with no name", async () => {
    expect(
      await q("SELECT language, events FROM analytics.language_mix($1, $2, $3, $4, 'programming')", week),
    ).toEqual([{ language: "en", events: "24" }]);
    // a's pool: en 4, ja 7; ja alone under k and en would give it away, so both are pooled
    expect(
      await q("SELECT language, events FROM analytics.language_mix($1, $2, $3, $4, 'programming')", week2),
    ).toEqual([
      { language: "en", events: "11" },
      { language: null, events: "11" },
    ]);
  });

  it("tag_composition: tags of a category's requests, including labels of other categories", async () => {
    const rows = await q<Record<string, unknown>>(
      "SELECT tag, events, share_tokens FROM analytics.tag_composition($1, $2, $3, $4, 'roleplay')",
      week,
    );
    expect(rows).toEqual([
      { tag: "adult", events: "12", share_tokens: 0.5 },
      { tag: "roleplaying-games", events: "12", share_tokens: 0.5 },
    ]);
  });

  it("widens a window to whole periods of its interval", async () => {
    // Wednesday to Thursday, by week: the whole week of 2019-05-06
    const rows = await q(
      "SELECT period, sum(events)::int AS n FROM analytics.category_share('synthetic', '2019-05-08', '2019-05-10', 'week') GROUP BY 1",
    );
    expect(rows).toEqual([{ period: "2019-05-06", n: 51 }]);
  });

  it("widens windows as the API says it does (src/stats/window.ts)", async () => {
    // the API snaps in TypeScript to say which days an answer covers; the SQL functions snap for
    // analysts calling them directly: every window of up to 40 days over a year end must agree
    const cases: [Interval, string, string][] = [];
    const day = (n: number) => new Date(Date.UTC(2019, 11, 1) + n * 86_400_000).toISOString().slice(0, 10);
    for (const interval of ["day", "week", "month", "range"] as const)
      for (let start = 0; start < 70; start += 3)
        for (let len = 1; len <= 40; len += 7) cases.push([interval, day(start), day(start + len)]);
    const rows = await q<{ f: string; t: string }>(
      `SELECT analytics.window_from(i, f::date)::text AS f, analytics.window_to(i, t::date)::text AS t
       FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS c(i, f, t, n) ORDER BY n`,
      [cases.map((c) => c[0]), cases.map((c) => c[1]), cases.map((c) => c[2])],
    );
    expect(rows.map((r) => ({ from: r.f, to: r.t }))).toEqual(cases.map(([i, f, t]) => snapWindow(i, f, t)));
  });

  it.each([
    [0.09400000000000006, 0.094],
    [0.09400000000000004, 0.094],
    [4500 / 5500, 0.818181818182],
    [123456789012345, 123456789012000],
    [-2.5, -2.5],
    [0, 0],
    [null, null],
  ])("publishes decimals to 12 significant digits: %s -> %s", async (x, out) => {
    const [row] = await q<{ v: number | null }>("SELECT analytics.sig($1::float8) AS v", [x]);
    expect(row?.v).toBe(out);
  });

  it("publishes 12 significant digits whatever the magnitude: as numeric rounds them, but for near-ties", async () => {
    // analytics.sig rounds in float arithmetic between 1e-10 and 1e12 (its comment: why); it must
    // give what rounding through numeric gives, but for near-ties, which numeric's conversion of
    // the double to 15 digits first (moving it up to half a unit of the 15th) can round the wrong
    // way: there the float result must be the nearer one
    const xs = Array.from(
      { length: 50_000 },
      (_, i) => (i % 2 ? -1 : 1) * Math.random() * 10 ** ((i % 26) - 12),
    );
    const rows = await q<{ x: number; got: number; numeric: number; step: number }>(
      `SELECT x, analytics.sig(x) AS got, round(x::numeric, 12 - ceil(log(abs(x)))::int)::float8 AS numeric,
         10::float8 ^ (ceil(log(abs(x))) - 12) AS step
       FROM unnest($1::float8[]) x`,
      [xs],
    );
    const off = rows.filter((r) => {
      if (r.got === r.numeric) return false;
      const oneStep = Math.abs(Math.abs(r.got - r.numeric) - r.step) < r.step * 1e-3;
      const nearTie = Math.abs(r.x - (r.got + r.numeric) / 2) < r.step * 1e-3;
      return !(oneStep && nearTie && Math.abs(r.got - r.x) <= Math.abs(r.numeric - r.x));
    });
    expect(off).toEqual([]);
    expect(rows.filter((r) => r.got !== r.numeric).length).toBeLessThan(xs.length / 1000);
  });

  it("a change of k recomputes every released unit", async () => {
    const client = await pool.connect();
    try {
      await client.query("BEGIN");
      const units = async () =>
        (
          await client.query(
            `SELECT unit_author, unit_model, events::int FROM census_released_cells('synthetic', '2019-05-14', '2019-05-15')
             WHERE category = 'programming' ORDER BY 1 NULLS LAST, 2 NULLS LAST`,
          )
        ).rows;
      expect(await units()).toEqual([
        { unit_author: "a", unit_model: null, events: 11 },
        { unit_author: null, unit_model: null, events: 11 },
      ]);
      // k = 5: a/m2 and c/m clear it alone; a/m1 (4) and b/m (3) pool under the category
      await client.query("UPDATE census_settings SET k_min_events = 5");
      expect(await units()).toEqual([
        { unit_author: "a", unit_model: "a/m2", events: 7 },
        { unit_author: "c", unit_model: "c/m", events: 8 },
        { unit_author: null, unit_model: null, events: 7 },
      ]);
    } finally {
      await client.query("ROLLBACK");
      client.release();
    }
  });

  it("the release functions are not the analyst's to call", async () => {
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    try {
      await client.query("SET ROLE census_analyst");
      for (const call of [
        "census_released_cells('synthetic', '2019-05-06', '2019-05-13')",
        "census_released_breakdown('language', 'synthetic', '2019-05-06', '2019-05-13')",
        "census_released_languages('synthetic', '2019-05-06', '2019-05-13')",
      ]) {
        await expect(client.query(`SELECT * FROM ${call}`), call).rejects.toThrow(
          /permission denied for function/,
        );
      }
    } finally {
      await client.end();
    }
  });

  it("cost_usage: price per 1M tokens over priced events", async () => {
    await seed(pool, [
      { day: "2019-06-03", category: "finance", n: 10, promptTokens: 1000, costUsd: 0.002 },
      { day: "2019-06-03", category: "finance", n: 10, promptTokens: 1000, costUsd: null },
    ]);
    const [row] = await q<Record<string, unknown>>(
      "SELECT * FROM analytics.cost_usage('synthetic', '2019-06-03', '2019-06-10', 'week') WHERE category = 'finance'",
    );
    expect(row?.events).toBe("20");
    expect(row?.usd_per_million_tokens).toBeCloseTo(2); // $0.002 per 1,000 tokens
  });

  it("the weekly views apply k from census_settings and nobody can lower it", async () => {
    const fn = await q(
      "SELECT pg_get_function_identity_arguments('analytics.category_share'::regproc) AS args",
    );
    expect(String(fn[0]?.args)).not.toMatch(/k/);
    const views = await q<{ table_name: string }>(
      "SELECT table_name FROM information_schema.views WHERE table_schema = 'analytics' ORDER BY 1",
    );
    expect(views.map((v) => v.table_name)).toEqual([
      "author_mix_weekly",
      "category_weekly",
      "cost_usage_weekly",
      "coverage_weekly",
      "language_weekly",
      "mapping_in_use",
      "model_catalogue",
      "source_mix_weekly",
      "tag_composition_weekly",
    ]);
  });
});

describe("the analyst role", () => {
  it("reads the analytics schema but not events, labels or rollups", async () => {
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    try {
      await client.query("SET ROLE census_analyst");
      await expect(client.query("SELECT count(*) FROM analytics.category_weekly")).resolves.toBeDefined();
      await expect(
        client.query(
          "SELECT * FROM analytics.category_share('synthetic', '2019-05-06', '2019-05-13', 'week')",
        ),
      ).resolves.toBeDefined();
      for (const table of [
        "prompt_events",
        "prompt_labels",
        "rollup_category_daily",
        "rollup_tag_daily",
        "release_language_daily",
        "api_keys",
      ]) {
        await expect(client.query(`SELECT 1 FROM ${table} LIMIT 1`), table).rejects.toThrow(
          /permission denied/,
        );
      }
    } finally {
      await client.end();
    }
  });
});

describe("mapping versions and remap", () => {
  it("refuses a recorded version whose rules changed", async () => {
    const changed: Taxonomy = { ...taxonomy, sha256: "0".repeat(64) };
    await expect(registerTaxonomy(pool, changed)).rejects.toThrow(/bump "version"/);
  });

  it("re-derives tags and categories without Google, rebuilds rollups, and is idempotent", async () => {
    // a database of its own: remap takes every event of an older mapping in its database, and
    // other files write such events into the run's
    const url = await createExtraDatabase("remap");
    const pool = createPool(url, { max: 2 });
    const q = async (sql: string, params: unknown[] = []) => (await pool.query(sql, params)).rows;
    try {
      await bootstrapDatabase(pool, { taxonomy, kMinEvents: K });
      await remapCase(pool, q);
    } finally {
      await pool.end();
      await dropExtraDatabase(url);
    }
  });
});

async function remapCase(pool: pg.Pool, q: (sql: string, params?: unknown[]) => Promise<unknown[]>) {
  const prefix = await seed(
    pool,
    [
      {
        day: "2019-09-02",
        category: "programming",
        n: 12,
        labels: [
          {
            path: "/Science/Computer Science/Machine Learning & Artificial Intelligence",
            tag: "computer-science",
            category: "programming",
            confidence: 0.8,
          },
          {
            path: "/Games/Roleplaying Games",
            tag: "roleplaying-games",
            category: "roleplay",
            confidence: 0.6,
          },
        ],
      },
    ],
    "2026-11-24.1",
  );
  // the current mapping moved ML & AI to science: remap must follow it
  const first = await remap(pool, taxonomy);
  expect(first.events).toBeGreaterThanOrEqual(12);
  const events = await q("SELECT DISTINCT category, mapping_version FROM prompt_events WHERE id LIKE $1", [
    `${prefix}%`,
  ]);
  expect(events).toEqual([{ category: "science", mapping_version: taxonomy.version }]);
  const labels = await q(
    "SELECT DISTINCT path, tag, category FROM prompt_labels WHERE event_id LIKE $1 ORDER BY path",
    [`${prefix}%`],
  );
  expect(labels).toEqual([
    { path: "/Games/Roleplaying Games", tag: "roleplaying-games", category: "roleplay" },
    {
      path: "/Science/Computer Science/Machine Learning & Artificial Intelligence",
      tag: "machine-learning-ai",
      category: "science",
    },
  ]);
  const rolled = await q(
    "SELECT category, sum(events)::int AS n FROM rollup_category_daily WHERE day = '2019-09-02' AND engine = 'synthetic' GROUP BY 1",
  );
  expect(rolled).toEqual([{ category: "science", n: 12 }]);
  const second = await remap(pool, taxonomy);
  expect(second).toEqual({ version: taxonomy.version, events: 0, labels: 0 });
}

describe("docs/analytics.md", () => {
  it("every query in the guide runs as census_analyst", async () => {
    const { readFileSync } = await import("node:fs");
    const doc = readFileSync(new URL("../docs/analytics.md", import.meta.url), "utf8");
    const blocks = [...doc.matchAll(/```sql\n([\s\S]*?)```/g)]
      .map((m) => m[1] ?? "")
      .filter((sql) => !/CREATE ROLE/.test(sql));
    expect(blocks.length).toBeGreaterThanOrEqual(8);
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    try {
      await client.query("SET ROLE census_analyst");
      for (const sql of blocks) await expect(client.query(sql), sql).resolves.toBeDefined();
    } finally {
      await client.end();
    }
  });
});
