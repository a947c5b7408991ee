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
  it("by outcome: each outcome's share of the period's released events", async () => {
    const res = await get("by=outcome");
    expect(res.status).toBe(200);
    const body = await json(res);
    // invalid (2) is in no released unit: it is in no row and no share
    const row = (outcome: string, events: number) => ({
      period: "2015-06-01",
      outcome,
      language: null,
      events,
      estimated: events * 2,
      share: Number(((events * 2) / 132).toPrecision(12)), // published to 12 significant digits
      shareLow: expect.any(Number),
      shareHigh: expect.any(Number),
    });
    expect(body.rows).toEqual([row("classified", 40), row("too_short", 11), row("unsupported_language", 15)]);
    // sampled at 0.5, so each share is uncertain: a real interval around it
    for (const r of body.rows) expect(r.shareLow < r.share && r.share < r.shareHigh).toBe(true);
  });

  it("by language: the refused share by language, languages under the floor pooled with no name", async () => {
    const body = await json(await get("by=language"));
    expect(
      body.rows.map((r: { outcome: string; language: string; events: number }) => [
        r.outcome,
        r.language,
        r.events,
      ]),
    ).toEqual([
      ["classified", "en", 40],
      ["too_short", "en", 11],
      // ar (3) is under k, and ja (12) would give it away from the unit's 15: both pooled
      ["unsupported_language", null, 15],
    ]);
    expect(JSON.stringify(body)).not.toMatch(/"ja"|"ar"/);
  });

  it("CSV, and the same numbers from SQL as census_analyst", async () => {
    const csv = await (await get("by=outcome", "text/csv")).text();
    expect(csv.split(/\r?\n/)[0]).toBe(
      '"period","outcome","language","events","estimated","share","shareLow","shareHigh"',
    );
    const client = await stack.deps.pool.connect();
    try {
      await client.query("SET ROLE census_analyst");
      const { rows } = await client.query(
        "SELECT outcome, events FROM analytics.coverage('synthetic', '2015-06-01', '2015-06-08', 'week') ORDER BY outcome",
      );
      expect(rows).toEqual([
        { outcome: "classified", events: "40" },
        { outcome: "too_short", events: "11" },
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
