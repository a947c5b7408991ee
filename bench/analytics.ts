import type pg from "pg";
import { authorStats, categoryStats, tagStats } from "../src/stats/service";
import { writeSyntheticEvents } from "../src/stats/synthetic";
import type { Taxonomy } from "../src/taxonomy/mapping";
import { load, row } from "./lib";

// Query latency of the analyst views at N synthetic events (engine 'synthetic', year 2025),
// against the same weekly shares computed straight from prompt_events (no rollup) as baseline.

const FROM = new Date("2025-01-01T00:00:00Z");
const TO = new Date("2026-01-01T00:00:00Z");
const YEAR = { from: "2025-01-01", to: "2026-01-01", engine: "synthetic" as const };

async function syntheticCount(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query(
    "SELECT coalesce(sum(events), 0)::int AS n FROM rollup_category_daily WHERE engine = 'synthetic' AND day >= $1 AND day < $2",
    [YEAR.from, YEAR.to],
  );
  return rows[0].n;
}

/** Tops the bench database up to `target` synthetic events; reports the COPY rate. */
async function ensureEvents(pool: pg.Pool, taxonomy: Taxonomy, target: number) {
  const have = await syntheticCount(pool);
  if (have >= target) {
    console.log(`  ${have.toLocaleString()} synthetic events already in the bench database`);
    return;
  }
  const started = performance.now();
  await writeSyntheticEvents(pool, taxonomy, {
    count: target - have,
    from: FROM,
    to: TO,
    seed: have + 1,
    idPrefix: `bsyn${have}-`,
  });
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `  wrote ${(target - have).toLocaleString()} events (+ labels, rollups by trigger) with COPY in ${seconds.toFixed(1)} s: ${Math.round((target - have) / seconds).toLocaleString()} events/s`,
  );
  await pool.query("VACUUM ANALYZE rollup_category_daily, rollup_tag_daily, rollup_language_daily");
}

const RAW_WEEKLY_SHARES = `
  SELECT week, category, est_tokens / sum(est_tokens) FILTER (WHERE category <> 'others') OVER (PARTITION BY week) AS share
  FROM (
    SELECT date_trunc('week', observed_hour AT TIME ZONE 'UTC')::date AS week, category,
      sum((coalesce(prompt_tokens, 0) + coalesce(completion_tokens, 0)) / sample_rate) AS est_tokens
    FROM prompt_events WHERE engine = 'synthetic' AND observed_hour >= $1 AND observed_hour < $2
    GROUP BY 1, 2
  ) t`;

export async function benchAnalytics(pool: pg.Pool, taxonomy: Taxonomy, sizes: number[], k: number) {
  for (const size of sizes) {
    console.log(`\n## analytics at ${size.toLocaleString()} events (a year, weekly)`);
    await ensureEvents(pool, taxonomy, size);
    const raw = await load(
      3,
      1,
      async () => (await pool.query(RAW_WEEKLY_SHARES, [FROM, TO])).rowCount !== null,
    );
    row("baseline: weekly shares straight from prompt_events", raw, undefined, "q/s");
    const weekly = await load(30, 1, async () => {
      const r = await categoryStats(pool, { ...YEAR, interval: "week", weight: "tokens" }, k);
      return r.rows.length > 0;
    });
    row("GET /v1/stats/categories: year, weekly, tokens", weekly, raw, "q/s");
    const byAuthor = await load(30, 1, async () => {
      const r = await categoryStats(
        pool,
        { ...YEAR, interval: "week", weight: "spend", author: "anthropic" },
        k,
      );
      return r.rows.length > 0;
    });
    row("  ... author=anthropic, weight=spend", byAuthor, raw, "q/s");
    const tags = await load(
      30,
      1,
      async () => (await tagStats(pool, { ...YEAR, interval: "range", weight: "tokens" }, k)).rows.length > 0,
    );
    row("GET /v1/stats/tags: year as one range", tags, raw, "q/s");
    const authors = await load(
      30,
      1,
      async () =>
        (await authorStats(pool, { ...YEAR, interval: "week", weight: "tokens" }, k)).rows.length > 0,
    );
    row("GET /v1/stats/authors: year, weekly", authors, raw, "q/s");
    const ok = weekly.p99 < 300 ? "meets" : "MISSES";
    console.log(`  year of weekly shares p99 ${weekly.p99.toFixed(1)} ms: ${ok} the 300 ms goal`);
  }
}
