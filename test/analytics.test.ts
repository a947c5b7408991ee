import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bootstrapDatabase, registerTaxonomy } from "../src/db/bootstrap";
import { createPool } from "../src/db/client";
import { writeSyntheticEvents } from "../src/stats/synthetic";
import { loadTaxonomy } from "../src/taxonomy/load";
import type { Taxonomy } from "../src/taxonomy/mapping";
import { remap } from "../src/taxonomy/remap";
import { seed } from "./support/seed";
import { TEST_DATABASE_URL } from "./support/urls";

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
  it("are kept current as events land, and a rebuild gives the same numbers", async () => {
    const before = await q<{ events: string; est: number }>(
      "SELECT coalesce(sum(events),0) AS events, coalesce(sum(est_tokens),0) AS est FROM rollup_category_daily WHERE day = '2019-01-07' AND engine = 'synthetic'",
    );
    await seed(pool, [
      {
        day: "2019-01-07",
        category: "programming",
        n: 3,
        promptTokens: 100,
        completionTokens: 50,
        sampleRate: 0.25,
      },
    ]);
    const after = await q<{ events: string; est: number }>(
      "SELECT sum(events) AS events, sum(est_tokens) AS est FROM rollup_category_daily WHERE day = '2019-01-07' AND engine = 'synthetic'",
    );
    expect(Number(after[0]?.events) - Number(before[0]?.events)).toBe(3);
    expect(Number(after[0]?.est) - Number(before[0]?.est)).toBeCloseTo(3 * 150 * 4);
    // other files write events concurrently: hold them off while comparing
    const client = await pool.connect();
    try {
      await client.query("BEGIN");
      await client.query("LOCK TABLE prompt_events IN SHARE MODE");
      const totals = async () =>
        (
          await client.query(
            "SELECT sum(events)::int AS c, sum(est_tokens)::float8 AS t, (SELECT sum(events)::int FROM rollup_tag_daily) AS g, (SELECT sum(events)::int FROM rollup_language_daily) AS l FROM rollup_category_daily",
          )
        ).rows[0] as { c: number; t: number; g: number; l: number };
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
    // week of 2019-05-06: programming 30 (anthropic 24 + x-ai 6), roleplay 12, legal 4, others 15
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
    ]);
  });

  const week = ["synthetic", "2019-05-06", "2019-05-13", "week"];

  it("category_share: suppresses cells under k, shares only among shown named categories", async () => {
    const rows = await q<Record<string, unknown>>(
      "SELECT * FROM analytics.category_share($1, $2, $3, $4)",
      week,
    );
    const by = Object.fromEntries(rows.map((r) => [r.category, r]));
    expect(by.legal).toMatchObject({ suppressed: true, events: null, est_tokens: null, share_tokens: null });
    expect(by.others).toMatchObject({ suppressed: false, events: "15", share_tokens: null });
    expect(by.programming).toMatchObject({
      suppressed: false,
      events: "30",
      est_requests: 60,
      tokens: "3000",
    });
    // shares are over programming + roleplay only: 6000 vs 24000 estimated tokens
    expect(by.programming?.share_tokens).toBeCloseTo(6000 / 30000);
    expect(by.roleplay?.share_tokens).toBeCloseTo(24000 / 30000);
    expect(by.programming?.share_requests).toBeCloseTo(30 / 42);
    const sum = rows.reduce((s, r) => s + Number(r.share_tokens ?? 0), 0);
    expect(sum).toBeCloseTo(1);
  });

  it("author_mix: a hidden author cell takes its smallest visible sibling with it", async () => {
    const rows = await q<Record<string, unknown>>(
      "SELECT * FROM analytics.author_mix($1, $2, $3, $4) WHERE category = 'programming'",
      week,
    );
    // x-ai has 6 (< k); anthropic's 24 would give it away by subtraction from programming's 30.
    // Hidden rows name no author: one event must not tell that an author was there.
    expect(rows.map((r) => [r.author, r.suppressed, r.events])).toEqual([
      [null, true, null],
      [null, true, null],
    ]);
  });

  it("language_mix: the same complementary rule within a category", async () => {
    const rows = await q<Record<string, unknown>>(
      "SELECT language, suppressed, events FROM analytics.language_mix($1, $2, $3, $4, 'programming')",
      week,
    );
    expect(rows).toEqual([
      { language: null, suppressed: true, events: null },
      { language: null, suppressed: true, events: null },
    ]);
  });

  it("tag_composition: tags of a category's requests, including labels of other categories", async () => {
    const rows = await q<Record<string, unknown>>(
      "SELECT tag, suppressed, events, share_tokens FROM analytics.tag_composition($1, $2, $3, $4, 'roleplay')",
      week,
    );
    expect(rows).toEqual([
      { tag: "adult", suppressed: false, events: "12", share_tokens: 0.5 },
      { tag: "roleplaying-games", suppressed: false, events: "12", share_tokens: 0.5 },
    ]);
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
  });
});

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
