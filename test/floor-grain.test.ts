import { describe, expect, it } from "vitest";
import { bootstrapDatabase } from "../src/db/bootstrap";
import { loadTaxonomy } from "../src/taxonomy/load";
import { type SeedEvent, seed } from "./support/seed";
import { createStack, json } from "./support/stack";
import { createExtraDatabase, dropExtraDatabase } from "./support/urls";

// FLOOR_GRAIN (migrations/0017) on small traffic: the 200 prompts over one week from 4
// model authors. With day units most of it is hidden and authors vanish from the chart; with week
// units every author is named. On a database of its own: the grain is one setting per database.

const AUTHORS = ["anthropic", "openai", "google", "mistralai"];
const CATEGORIES = ["programming", "roleplay", "translation"];
const DAYS = [
  "2024-06-03",
  "2024-06-04",
  "2024-06-05",
  "2024-06-06",
  "2024-06-07",
  "2024-06-08",
  "2024-06-09",
];

/** 200 events, 50 per author over two models, three categories and the seven days of one week. */
function traffic(): SeedEvent[] {
  return Array.from({ length: 200 }, (_, i) => ({
    day: DAYS[i % 7] as string,
    category: CATEGORIES[Math.floor(i / 4) % 3] as string,
    model: `${AUTHORS[i % 4]}/m${Math.floor(i / 12) % 2}`,
    promptTokens: 200 + ((i * 37) % 900),
    sampleRate: 0.25,
  }));
}

describe("FLOOR_GRAIN on small traffic", () => {
  it("day units hide most of a week of 200 prompts; week units name all 4 authors", async () => {
    const url = await createExtraDatabase("grain");
    const day = await createStack({ worker: false, env: { DATABASE_URL: url } });
    let week: Awaited<ReturnType<typeof createStack>> | undefined;
    try {
      await seed(
        day.deps.pool,
        traffic().map((e) => ({ ...e, engine: "emulator" as const })),
      );
      const authors = async (stack: typeof day) => {
        const key = await stack.key("read");
        const res = await stack.app.request(
          "/v1/stats/authors?from=2024-06-03&to=2024-06-10&interval=week&engine=emulator",
          { headers: { authorization: `Bearer ${key}` } },
        );
        expect(res.status).toBe(200);
        return (await json(res)) as {
          rows: { author: string | null; events: number; shareOfAuthorLow: number | null }[];
          notes: string[];
        };
      };
      const named = (rows: { author: string | null }[]) => [...new Set(rows.map((r) => r.author))].sort();

      const daily = await authors(day);
      // ~1 event per model, day and category: only some days' category pools clear k, named nowhere
      expect(daily.rows.reduce((s, r) => s + r.events, 0)).toBeLessThan(200);
      expect(named(daily.rows)).toEqual([null]);

      // start-up with FLOOR_GRAIN=week rewrites the setting; its trigger recomputes every unit
      week = await createStack({ worker: false, env: { DATABASE_URL: url, FLOOR_GRAIN: "week" } });
      const weekly = await authors(week);
      expect(named(weekly.rows)).toEqual([...AUTHORS].sort());
      expect(weekly.rows.reduce((s, r) => s + r.events, 0)).toBe(200);
      expect(weekly.notes.join("\n")).toMatch(/events of one week, outcome and category/);
      for (const r of weekly.rows) expect(r.shareOfAuthorLow).not.toBeNull();
      // analysts calling the SQL functions get the same whole weeks
      const client = await week.deps.pool.connect();
      try {
        await client.query("SET ROLE census_analyst");
        const { rows } = await client.query(
          "SELECT analytics.window_from('day', '2024-06-05')::text AS f, analytics.window_to('day', '2024-06-06')::text AS t",
        );
        expect(rows).toEqual([{ f: "2024-06-03", t: "2024-06-10" }]);
      } finally {
        await client.query("RESET ROLE");
        client.release();
      }

      // and back: the setting, not the rows already stored, decides
      await bootstrapDatabase(week.deps.pool, {
        taxonomy: loadTaxonomy(),
        kMinEvents: 10,
        floorGrain: "day",
      });
      expect((await authors(day)).rows).toEqual(daily.rows);
    } finally {
      await week?.close();
      await day.close();
      await dropExtraDatabase(url);
    }
  });
});
