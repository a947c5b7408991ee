import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SeedEvent, seed } from "./support/seed";
import { createStack, json, type Stack } from "./support/stack";

// The stats API over seeded synthetic events in 2018 (no other file writes there).

let stack: Stack;
let read: string;

beforeAll(async () => {
  stack = await createStack({ worker: false });
  read = await stack.key("read");
  // week of 2018-03-05: programming 40 (anthropic 30, x-ai 10), roleplay 20 (openai), legal 3, others 12
  // week of 2018-03-12: programming 15 (anthropic), translation 11 (openai)
  await seed(stack.deps.pool, [
    {
      day: "2018-03-05",
      category: "programming",
      model: "anthropic/claude-sonnet-4.5",
      n: 30,
      promptTokens: 100,
      costUsd: 0.01,
      labels: [{ path: "/Computers & Electronics/Programming/Other", tag: "programming-other" }],
    },
    {
      day: "2018-03-06",
      category: "programming",
      model: "x-ai/grok-code-fast-1",
      n: 10,
      promptTokens: 100,
      costUsd: 0.001,
      labels: [{ path: "/Computers & Electronics/Programming/Development Tools", tag: "development-tools" }],
    },
    {
      day: "2018-03-07",
      category: "roleplay",
      model: "openai/gpt-5",
      n: 20,
      promptTokens: 300,
      costUsd: 0.002,
      labels: [
        { path: "/Games/Roleplaying Games", tag: "roleplaying-games" },
        { path: "/Adult", tag: "adult", category: "adult" },
      ],
    },
    { day: "2018-03-08", category: "legal", model: "openai/gpt-5", n: 3 },
    { day: "2018-03-09", category: "others", model: "openai/gpt-5", n: 12 },
    {
      day: "2018-03-12",
      category: "programming",
      model: "anthropic/claude-sonnet-4.5",
      n: 15,
      promptTokens: 100,
    },
    { day: "2018-03-13", category: "translation", model: "openai/gpt-5", n: 11, promptTokens: 100 },
  ]);
});
afterAll(() => stack.close());

const get = (path: string, key = read, accept = "application/json") =>
  stack.app.request(path, { headers: { authorization: `Bearer ${key}`, accept } });

const RANGE = "from=2018-03-05&to=2018-03-19&engine=synthetic";

describe("GET /v1/stats/categories", () => {
  it("weekly token shares among named categories, with estimates and the privacy floor", async () => {
    const res = await get(`/v1/stats/categories?${RANGE}`);
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.kMinEvents).toBe(10);
    const week1 = body.rows.filter((r: { period: string }) => r.period === "2018-03-05");
    const by = Object.fromEntries(week1.map((r: { category: string }) => [r.category, r]));
    // sample rate 0.5 in seed: estimates are twice the sample
    expect(by.programming).toMatchObject({ events: 40, value: 4000, estimated: 8000 });
    expect(by.roleplay).toMatchObject({ events: 20, value: 6000, estimated: 12000 });
    expect(by.programming.share).toBeCloseTo(4000 / 10000);
    expect(by.roleplay.share).toBeCloseTo(6000 / 10000);
    expect(by.others).toMatchObject({ events: 12, share: null });
    expect(by.legal).toBeUndefined(); // 3 events: in no released unit, so in no row
  });

  it("totals are the sums of the rows, so nothing hidden is in either", async () => {
    const body = await json(await get(`/v1/stats/categories?${RANGE}&weight=requests`));
    for (const total of body.totals) {
      const shown = body.rows.filter((r: { period: string }) => r.period === total.period);
      const sum = (f: string) => shown.reduce((s: number, r: Record<string, number>) => s + (r[f] ?? 0), 0);
      expect(total.events - sum("events")).toBe(0);
      expect(total.estimated - sum("estimated")).toBe(0);
    }
    const week1 = body.totals.find((t: { period: string }) => t.period === "2018-03-05");
    expect(week1).toEqual({ period: "2018-03-05", events: 72, value: 72, estimated: 144 });
    // and the legal events (3) are nowhere: not in the totals, not in any share
    expect(JSON.stringify(body)).not.toContain('"events":75');
  });

  it.each([
    ["weight=spend", "programming", (r: Record<string, number>) => expect(r.value).toBeCloseTo(0.31)],
    ["weight=requests", "programming", (r: Record<string, number>) => expect(r.value).toBe(40)],
    ["author=anthropic", "programming", (r: Record<string, number>) => expect(r.events).toBe(30)],
    ["model=x-ai/grok-code-fast-1", "programming", (r: Record<string, number>) => expect(r.events).toBe(10)],
    ["interval=range", "programming", (r: Record<string, number>) => expect(r.events).toBe(55)],
  ])("%s", async (param, category, check) => {
    const body = await json(await get(`/v1/stats/categories?${RANGE}&${param}`));
    check(body.rows.find((r: { category: string }) => r.category === category));
  });

  it("a model or author filter that does not clear the floor in the window is a 422, not an empty chart", async () => {
    // x-ai has 10 events in the first week and none in the second
    const secondWeek = "from=2018-03-12&to=2018-03-19&engine=synthetic";
    for (const query of [
      `${RANGE}&model=openai/nonexistent`,
      `${RANGE}&author=nobody`,
      `${secondWeek}&model=x-ai/grok-code-fast-1`,
      `${secondWeek}&author=x-ai`,
    ]) {
      const res = await get(`/v1/stats/categories?${query}`);
      const filter = query.includes("model=") ? "model" : "author";
      expect(res.status, query).toBe(422);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      const body = await json(res);
      expect(body.code).toBe("BELOW_FLOOR");
      expect(body.errors[0].path).toBe(filter);
    }
  });

  it("answers whole periods: `from` and `to` widen to the interval's boundaries, and the answer says so", async () => {
    const body = await json(
      await get("/v1/stats/categories?from=2018-03-07&to=2018-03-08&interval=week&engine=synthetic"),
    );
    expect(body.query).toMatchObject({ from: "2018-03-05", to: "2018-03-12", interval: "week" });
    expect(body.totals).toEqual([{ period: "2018-03-05", events: 72, value: 11200, estimated: 22400 }]);
  });

  it("answers CSV when asked", async () => {
    const res = await get(`/v1/stats/categories?${RANGE}`, read, "text/csv");
    expect(res.headers.get("content-type")).toMatch(/^text\/csv/);
    const lines = (await res.text()).trim().split("\r\n");
    expect(lines[0]).toBe('"period","category","events","value","estimated","share","shareLow","shareHigh"');
    expect(lines.some((l) => l.includes('"legal"'))).toBe(false);
    expect(lines.some((l) => l.startsWith('"2018-03-05","programming",40,4000,8000,0.4'))).toBe(true);
  });
});

describe("error bars", () => {
  it.each(["tokens", "requests", "spend"])(
    "every category row has shareLow <= share <= shareHigh, in JSON and CSV (weight %s)",
    async (weight) => {
      const url = `/v1/stats/categories?${RANGE}&interval=week&weight=${weight}`;
      const rows = (await json(await get(url))).rows as Record<string, number | null>[];
      const csv = parse(await (await get(url, read, "text/csv")).text(), { columns: true }) as Record<
        string,
        string
      >[];
      expect(rows.length).toBeGreaterThan(3);
      expect(csv.length).toBe(rows.length);
      const checks = [
        ...rows.map((r) => [r.shareLow, r.share, r.shareHigh]),
        ...csv.map((r) => [r.shareLow, r.share, r.shareHigh].map((v) => (v === "" ? null : Number(v)))),
      ];
      for (const [low, share, high] of checks) {
        if (share === null || share === undefined) {
          expect([low, high]).toEqual([null, null]); // others: no share, no interval
          continue;
        }
        expect(low !== null && low !== undefined && high !== null && high !== undefined).toBe(true);
        expect(Number(low) <= share && share <= Number(high)).toBe(true);
        // sampled at 0.5: a real interval, except for a share of 0 (no spend) or 1 (alone in its period)
        if (share > 0 && share < 1) expect(Number(low) < Number(high), JSON.stringify(checks)).toBe(true);
      }
    },
  );
});

describe("GET /v1/stats/tags", () => {
  it("composition within a category over the range, including other categories' labels", async () => {
    const body = await json(await get(`/v1/stats/tags?${RANGE}&category=roleplay`));
    expect(body.rows).toEqual([
      {
        period: "2018-03-05",
        category: "roleplay",
        tag: "adult",
        events: 20,
        value: 6000,
        estimated: 12000,
        share: 0.5,
        shareLow: expect.any(Number),
        shareHigh: expect.any(Number),
      },
      {
        period: "2018-03-05",
        category: "roleplay",
        tag: "roleplaying-games",
        events: 20,
        value: 6000,
        estimated: 12000,
        share: 0.5,
        shareLow: expect.any(Number),
        shareHigh: expect.any(Number),
      },
    ]);
  });
});

describe("CSV", () => {
  it.each([
    [
      "tags",
      `/v1/stats/tags?${RANGE}&category=roleplay`,
      '"period","category","tag",',
      '"2018-03-05","roleplay","adult",20,6000,12000,0.5',
    ],
    [
      "authors",
      `/v1/stats/authors?${RANGE}&category=programming`,
      '"period","author","category",',
      '"2018-03-05","anthropic","programming",45,4500,9000,',
    ],
  ])("%s answers CSV too", async (_name, url, header, line) => {
    const res = await get(url, read, "text/csv");
    expect(res.headers.get("content-type")).toMatch(/^text\/csv/);
    const lines = (await res.text()).trim().split("\r\n");
    expect(lines[0]?.startsWith(header)).toBe(true);
    expect(lines.some((l) => l.startsWith(line))).toBe(true);
  });

  it("neutralises formulas in author names a router sent (OWASP CSV injection)", async () => {
    await seed(stack.deps.pool, [
      { day: "2018-04-02", category: "programming", model: '=HYPERLINK("http://evil.invalid","x")/m', n: 10 },
      { day: "2018-04-02", category: "programming", model: "@SUM(1+1)/m", n: 10 },
      { day: "2018-04-02", category: "programming", model: "+cmd|' /C calc'!A0/m", n: 10 },
    ]);
    const res = await get(
      "/v1/stats/authors?from=2018-04-02&to=2018-04-09&engine=synthetic",
      read,
      "text/csv",
    );
    const rows: { author: string }[] = parse(await res.text(), { columns: true });
    // authors are the lower-cased part before the first "/"
    expect(rows.map((r) => r.author).sort()).toEqual(["'+cmd|' ", "'=hyperlink(\"http:", "'@sum(1+1)"]);
  });
});

describe("GET /v1/stats/authors", () => {
  it("category mix per author; an author under the floor is named nowhere", async () => {
    const body = await json(await get(`/v1/stats/authors?${RANGE}&interval=week`));
    const week1 = body.rows.filter((r: { period: string }) => r.period === "2018-03-05");
    const cell = (a: string, c: string) =>
      week1.find((r: { author: string; category: string }) => r.author === a && r.category === c);
    expect(cell("anthropic", "programming")).toMatchObject({
      events: 30,
      shareOfCategory: 0.75,
    });
    expect(cell("x-ai", "programming")).toMatchObject({
      events: 10,
      shareOfCategory: 0.25,
    });
    expect(cell("openai", "roleplay")).toMatchObject({ shareOfAuthor: 1, shareOfCategory: 1 });
    // the legal events (3) are in no released unit: no row says an author had any
    expect(week1.filter((r: { category: string }) => r.category === "legal")).toEqual([]);
  });

  it("an author's share within one category", async () => {
    const body = await json(await get(`/v1/stats/authors?${RANGE}&category=programming`));
    expect(
      body.rows.map((r: { author: string; shareOfCategory: number }) => [r.author, r.shareOfCategory]),
    ).toEqual([
      // published to 12 significant digits
      ["anthropic", Number((4500 / 5500).toPrecision(12))],
      ["x-ai", Number((1000 / 5500).toPrecision(12))],
    ]);
  });
});

describe("GET /v1/stats/usage", () => {
  it("counts Google calls, billable units, estimated cost and the calls the cache avoided", async () => {
    // Google's own calls: only they are priced (the emulator's and generated ones are not)
    const calls: (SeedEvent & { n?: number })[] = [
      { day: "2018-05-07", category: "programming", n: 5 },
      { day: "2018-05-07", category: "programming", charCount: 2500 }, // 3 units
      { day: "2018-05-07", category: "others", outcome: "too_short" }, // refused by Google: no unit
      { day: "2018-05-07", category: "programming", answerSource: "cache", n: 3 },
      { day: "2018-05-07", category: "others", outcome: "too_short", answerSource: "skipped" },
      { day: "2018-05-08", category: "programming", answerSource: "cache", n: 2 },
      { day: "2018-05-09", category: "others", outcome: "too_short", answerSource: "skipped" },
    ];
    await seed(
      stack.deps.pool,
      calls.map((e) => ({ ...e, engine: "google" as const })),
    );
    const body = await json(await get("/v1/stats/usage?from=2018-05-07&to=2018-05-10&engine=google"));
    expect(body.pricePer1kUnits).toBe(2);
    // nothing is split by outcome: a day's pre-skipped (too_short) events appear nowhere, not even
    // as a day of their own
    expect(body.rows).toEqual([
      { period: "2018-05-07", calls: 7, units: 8, estimatedCostUsd: 0.016, cacheHits: 3, cacheHitRate: 0.3 },
      { period: "2018-05-08", calls: 0, units: 0, estimatedCostUsd: 0, cacheHits: 2, cacheHitRate: 1 },
    ]);
    const csv = await get("/v1/stats/usage?from=2018-05-07&to=2018-05-09&engine=google", read, "text/csv");
    expect((await csv.text()).split("\r\n")[1]).toBe('"2018-05-07",7,8,0.016,3,0.3');
    const weekly = await json(
      await get("/v1/stats/usage?from=2018-05-07&to=2018-05-14&engine=google&interval=week"),
    );
    expect(weekly.rows).toMatchObject([{ period: "2018-05-07", calls: 7, cacheHits: 5 }]);
  });
});

describe("auth and bad queries", () => {
  it("needs a key with the read scope", async () => {
    expect((await stack.app.request("/v1/stats/categories")).status).toBe(401);
    expect((await get("/v1/stats/categories", await stack.key("ingest"))).status).toBe(403);
    expect((await get("/v1/stats/categories", await stack.key("admin"))).status).toBe(200);
  });

  it.each([
    ["interval=year", "interval"],
    ["weight=vibes", "weight"],
    ["engine=openai", "engine"],
    ["from=2018-13-01", "from"],
    ["from=2019-01-01&to=2018-01-01", "from"],
    ["category=nonsense", "category"],
    ["to=0001-01-01", "to"],
    ["from=0000-01-01&to=0000-02-01", "from"],
    ["from=2101-01-01&to=2101-02-01", "from"],
    ["model=%00", "model"],
    ["model=a%0Ab", "model"],
    ["author=%01x", "author"],
    ["source=", "source"],
    ["model=", "model"],
  ])("%s -> 400 naming %s", async (params, path) => {
    const url = params.startsWith("category") ? `/v1/stats/tags?${params}` : `/v1/stats/categories?${params}`;
    const res = await get(url);
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    const body = await json(res);
    expect(body.errors.map((e: { path: string }) => e.path)).toContain(path);
    expect(body.title).not.toMatch(/body/i); // a query's fault, not a body's
  });

  it("is documented in the OpenAPI spec with CSV", async () => {
    const spec = await json(await stack.app.request("/openapi.json"));
    for (const p of ["/v1/stats/categories", "/v1/stats/tags", "/v1/stats/authors", "/v1/stats/usage"]) {
      expect(spec.paths[p].get.responses["200"].content).toHaveProperty("text/csv");
    }
  });
});
