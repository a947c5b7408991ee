import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seed } from "./support/seed";
import { createStack, json, type Stack } from "./support/stack";

// Coverage, what the category shares leave out, over seeded synthetic events in 2015 (no other
// file writes there). Expected answers are worked out here from the seed, by hand.

let stack: Stack;
let read: string;

// week of 2015-06-01, sample rate 0.5 (each event estimates 2 requests):
// classified 40 (en), unsupported_language 12 ja + 3 ar, too_short 11 (en), invalid 2 (en)
beforeAll(async () => {
  stack = await createStack({ worker: false });
  read = await stack.key("read");
  await seed(stack.deps.pool, [
    { day: "2015-06-01", category: "programming", n: 40 },
    { day: "2015-06-02", category: "others", outcome: "unsupported_language", language: "ja", n: 12 },
    { day: "2015-06-02", category: "others", outcome: "unsupported_language", language: "ar", n: 3 },
    { day: "2015-06-03", category: "others", outcome: "too_short", n: 11 },
    { day: "2015-06-04", category: "others", outcome: "invalid", n: 2 },
  ]);
});
afterAll(() => stack.close());

const get = async (query: string, accept = "application/json") =>
  stack.app.request(`/v1/stats/coverage?from=2015-06-01&to=2015-06-08&engine=synthetic&${query}`, {
    headers: { authorization: `Bearer ${read}`, accept },
  });

describe("GET /v1/stats/coverage", () => {
  it("by outcome: each outcome's share of the period, with the privacy floor and its complement", async () => {
    const res = await get("by=outcome");
    expect(res.status).toBe(200);
    const body = await json(res);
    // invalid (2) is under k = 10; hidden alone it would follow from the others, so the smallest
    // shown cell (too_short, 11) is hidden with it. Shares are over the two cells shown.
    expect(body.rows).toEqual([
      {
        period: "2015-06-01",
        outcome: "classified",
        language: null,
        suppressed: false,
        events: 40,
        estimated: 80,
        share: 80 / 110,
      },
      {
        period: "2015-06-01",
        outcome: "invalid",
        language: null,
        suppressed: true,
        events: null,
        estimated: null,
        share: null,
      },
      {
        period: "2015-06-01",
        outcome: "too_short",
        language: null,
        suppressed: true,
        events: null,
        estimated: null,
        share: null,
      },
      {
        period: "2015-06-01",
        outcome: "unsupported_language",
        language: null,
        suppressed: false,
        events: 15,
        estimated: 30,
        share: 30 / 110,
      },
    ]);
  });

  it("by language: the refused share by language, and a suppressed row names no language", async () => {
    const body = await json(await get("by=language"));
    const shown = body.rows.filter((r: { suppressed: boolean }) => !r.suppressed);
    expect(shown.map((r: { outcome: string; language: string }) => `${r.outcome}/${r.language}`)).toEqual([
      "classified/en",
      "too_short/en",
    ]);
    // ar (3) is hidden, and ja (12) with it, or ja's count would give ar's away by subtraction
    const hidden = body.rows.filter((r: { suppressed: boolean }) => r.suppressed);
    expect(hidden).toHaveLength(3);
    expect(hidden.every((r: { language: unknown }) => r.language === null)).toBe(true);
    expect(JSON.stringify(body)).not.toMatch(/"ja"|"ar"/);
  });

  it("CSV, and the same numbers from SQL as census_analyst", async () => {
    const csv = await (await get("by=outcome", "text/csv")).text();
    expect(csv.split(/\r?\n/)[0]).toBe(
      '"period","outcome","language","suppressed","events","estimated","share"',
    );
    const client = await stack.deps.pool.connect();
    try {
      await client.query("SET ROLE census_analyst");
      const { rows } = await client.query(
        "SELECT outcome, events FROM analytics.coverage('synthetic', '2015-06-01', '2015-06-08', 'week') WHERE NOT suppressed ORDER BY outcome",
      );
      expect(rows).toEqual([
        { outcome: "classified", events: "40" },
        { outcome: "unsupported_language", events: "15" },
      ]);
    } finally {
      await client.query("RESET ROLE");
      client.release();
    }
  });

  it("refuses a bad `by` with a 400", async () => {
    expect((await get("by=model")).status).toBe(400);
  });
});
