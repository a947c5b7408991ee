import pg from "pg";
import { describe, expect, it } from "vitest";
import { bootstrapDatabase } from "../src/db/bootstrap";
import { runMigrations } from "../src/db/migrate";
import { createLogger } from "../src/platform/logger";
import { loadTaxonomy } from "../src/taxonomy/load";
import { spawnCensus } from "./support/processes";
import { seed } from "./support/seed";
import { dropExtraDatabase, extraDatabaseUrl, TEST_DATABASE_URL, TEST_REDIS_URL } from "./support/urls";

// Moving history between mapping schemes with `census remap --mapping`, on a database of its own
// (a remap touches every event, and other files share the run's database).

const PSYCH = "/People & Society/Social Sciences/Psychology";
const EDU = "/Jobs & Education/Education/Colleges & Universities";

describe("census remap --mapping", () => {
  it("re-derives stored history under the other scheme and back, without Google", async () => {
    const url = extraDatabaseUrl("schemes");
    const admin = new pg.Pool({ connectionString: TEST_DATABASE_URL, max: 1 });
    await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(new URL(url).pathname.slice(1))}`);
    await admin.end();
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    try {
      await runMigrations(url, createLogger("silent"));
      const study = loadTaxonomy("study-2025");
      await bootstrapDatabase(pool, { taxonomy: study, kMinEvents: 10 });
      // a News label: others in study-2025, General Q&A in extended
      await seed(
        pool,
        [
          {
            day: "2026-06-01",
            category: "others",
            n: 3,
            labels: [{ path: "/News/World News", tag: "news", category: "others", confidence: 0.9 }],
          },
          // a general topic (others) outranks a weaker named one: the schemes' decision rules differ
          {
            day: "2026-06-01",
            category: "others",
            n: 2,
            labels: [
              { path: PSYCH, tag: "people-and-society", category: "others", confidence: 0.8 },
              { path: EDU, tag: "education", category: "education", confidence: 0.6 },
            ],
          },
        ],
        study.version,
      );
      const state = async () =>
        (
          await pool.query(
            "SELECT DISTINCT e.category, split_part(e.mapping_version, '/', 1) AS scheme, l.tag FROM prompt_events e JOIN prompt_labels l ON l.event_id = e.id ORDER BY 1, 3",
          )
        ).rows;
      const remap = async (scheme: string) => {
        const run = spawnCensus(["remap", "--mapping", scheme], {
          // both URLs: a command finds both services before it runs (none may answer on the defaults)
          env: { ...process.env, DATABASE_URL: url, REDIS_URL: TEST_REDIS_URL, LOG_LEVEL: "silent" },
        });
        expect(await run.exited, run.output()).toBe(0);
        return run.output();
      };

      expect(await remap("extended")).toMatch(/mapping extended\/\S+: 5 events/);
      expect(await state()).toEqual([
        { category: "education", scheme: "extended", tag: "education" },
        { category: "education", scheme: "extended", tag: "people-and-society" },
        { category: "general-qa", scheme: "extended", tag: "news" },
      ]);
      const rolled = await pool.query(
        "SELECT category, sum(events)::int AS n FROM rollup_category_daily GROUP BY 1 ORDER BY 1",
      );
      expect(rolled.rows).toEqual([
        { category: "education", n: 2 },
        { category: "general-qa", n: 3 },
      ]);

      // analysts see which scheme the stored numbers come from
      const client = await pool.connect();
      try {
        await client.query("SET ROLE census_analyst");
        const inUse = await client.query("SELECT scheme, events FROM analytics.mapping_in_use");
        expect(inUse.rows).toEqual([{ scheme: "extended", events: "5" }]);
      } finally {
        await client.query("RESET ROLE");
        client.release();
      }

      expect(await remap("study-2025")).toMatch(/mapping study-2025\/\S+: 5 events/);
      expect(await state()).toEqual([
        { category: "others", scheme: "study-2025", tag: "education" },
        { category: "others", scheme: "study-2025", tag: "news" },
        { category: "others", scheme: "study-2025", tag: "people-and-society" },
      ]);
    } finally {
      await pool.end();
      await dropExtraDatabase(url); // once the pool's sockets have closed
    }
  }, 120_000);
});
