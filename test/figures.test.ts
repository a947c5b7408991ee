import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCatalogue } from "../src/catalogue/catalogue";
import { lookupModel } from "../src/catalogue/lookup";
import { catalogueGroup } from "./support/catalogue-group";
import { released } from "./support/floor";
import { type SeedEvent, seed } from "./support/seed";
import { createStack, type Stack } from "./support/stack";

// The study's figures as docs/analytics.md writes them: each documented query runs, as
// census_analyst, on synthetic events of March 2014 (no other file writes there), and its answer
// is checked against one computed here from the seed with nothing but arithmetic. This run's
// database has the shipped model catalogue (test/support/global-setup.ts): units are of one group.

const RATE = 0.5; // the seed's sample rate: each event estimates 2 requests
const K = 10;
type Item = SeedEvent & { n: number };
const W1 = "2014-03-03"; // Mondays
const W2 = "2014-03-10";
const prog = [{ path: "/Computers & Electronics/Programming/Other", tag: "programming-other" }];
const tools = [{ path: "/Computers & Electronics/Programming/Development Tools", tag: "development-tools" }];
const rp = [
  { path: "/Games/Roleplaying Games", tag: "roleplaying-games" },
  { path: "/Adult", tag: "adult", category: "adult" },
];
const SEED: Item[] = [
  {
    day: W1,
    category: "programming",
    model: "anthropic/claude-sonnet-4.5",
    n: 30,
    promptTokens: 100,
    costUsd: 0.01,
    labels: prog,
  },
  {
    day: W1,
    category: "programming",
    model: "openai/gpt-5",
    n: 10,
    promptTokens: 200,
    costUsd: 0.001,
    labels: tools,
  },
  {
    day: W1,
    category: "roleplay",
    model: "openai/gpt-5",
    n: 20,
    promptTokens: 300,
    costUsd: 0.002,
    labels: rp,
  },
  {
    day: W1,
    category: "translation",
    model: "google/gemini-2.5-pro",
    n: 12,
    promptTokens: 50,
    costUsd: 0.0005,
  },
  { day: W1, category: "legal", model: "openai/gpt-5", n: 3, promptTokens: 100, costUsd: 0.001 }, // under k
  { day: W1, category: "others", model: "openai/gpt-5", n: 15, promptTokens: 100, costUsd: 0.001 },
  {
    day: W2,
    category: "programming",
    model: "anthropic/claude-sonnet-4.5",
    n: 15,
    promptTokens: 100,
    costUsd: 0.01,
    labels: prog,
  },
  {
    day: W2,
    category: "roleplay",
    model: "anthropic/claude-sonnet-4.5",
    n: 10,
    promptTokens: 100,
    costUsd: 0.005,
    labels: rp.slice(0, 1),
  },
  {
    day: W2,
    category: "translation",
    model: "google/gemini-2.5-pro",
    n: 11,
    promptTokens: 50,
    costUsd: 0.0005,
  },
  // open models (figures 6-9): Chinese, rest of the world, and one the catalogue does not know
  {
    day: W1,
    category: "roleplay",
    model: "deepseek/deepseek-chat",
    n: 14,
    promptTokens: 400,
    costUsd: 0.0002,
  },
  { day: W1, category: "programming", model: "qwen/qwen3-coder", n: 11, promptTokens: 250, costUsd: 0.0002 },
  {
    day: W1,
    category: "roleplay",
    model: "meta-llama/llama-3.3-70b-instruct",
    n: 12,
    promptTokens: 150,
    costUsd: 0.0002,
  },
  { day: W1, category: "programming", model: "acme/secret-model", n: 10, promptTokens: 90, costUsd: 0.0002 },
  {
    day: W2,
    category: "roleplay",
    model: "deepseek/deepseek-chat",
    n: 10,
    promptTokens: 350,
    costUsd: 0.0002,
  },
  {
    day: W2,
    category: "programming",
    model: "meta-llama/llama-3.3-70b-instruct",
    n: 10,
    promptTokens: 120,
    costUsd: 0.0002,
  },
  { day: W2, category: "translation", model: "qwen/qwen3-coder", n: 4, promptTokens: 500, costUsd: 0.0002 }, // under k
];

// ---- the expected answers, from the seed alone ----
const tokensOf = (e: Item) => (e.n * (e.promptTokens ?? 0)) / RATE;
const spendOf = (e: Item) => (e.n * (e.costUsd ?? 0)) / RATE;
const round1 = (x: number) => Math.round(x * 1000) / 10;
function sumBy<T>(items: T[], key: (t: T) => string, value: (t: T) => number) {
  const out = new Map<string, number>();
  for (const t of items) out.set(key(t), (out.get(key(t)) ?? 0) + value(t));
  return out;
}
// What the floor releases (test/support/floor.ts: the rule written again, without SQL).
const RELEASED = released(SEED, K, "day", catalogueGroup);
const groupOf = (e: Item) => catalogueGroup(e.model ?? "openai/gpt-5");

const shares = (cells: Map<string, number>, among = (_: string) => true) => {
  const total = [...cells].filter(([k]) => among(k)).reduce((s, [, v]) => s + v, 0);
  return new Map([...cells].filter(([k]) => among(k)).map(([k, v]) => [k, round1(v / total)]));
};

// ---- running the guide's queries on this seed ----
function guideQuery(heading: string): string {
  const doc = readFileSync(new URL("../docs/analytics.md", import.meta.url), "utf8");
  const at = doc.indexOf(`### ${heading}`);
  expect(at, heading).toBeGreaterThan(-1);
  const sql = /```sql\n([\s\S]*?)```/.exec(doc.slice(at))?.[1] ?? "";
  // the guide's windows (relative to today) and engine (the data's), moved to the seed's
  return sql
    .replaceAll(
      "analytics.category_weekly",
      `analytics.category_share('synthetic', '${W1}', '2014-03-17', 'week')`,
    )
    .replaceAll("analytics.default_engine()", "'synthetic'")
    .replaceAll("current_date - 90", `'${W1}'::date`)
    .replaceAll("current_date - 120", "'2014-03-01'::date")
    .replaceAll("current_date + 1", "'2014-04-01'::date");
}

let stack: Stack;
async function run(heading: string): Promise<Record<string, unknown>[]> {
  const client = await stack.deps.pool.connect();
  try {
    await client.query("SET ROLE census_analyst");
    return (await client.query(guideQuery(heading))).rows.map((r) =>
      Object.fromEntries(
        Object.entries(r).map(([k, v]) => [
          k,
          typeof v === "string" && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v,
        ]),
      ),
    );
  } finally {
    await client.query("RESET ROLE");
    client.release();
  }
}

beforeAll(async () => {
  stack = await createStack({ worker: false });
  await seed(stack.deps.pool, SEED);
});
afterAll(() => stack.close());

describe("the study's figures, as docs/analytics.md computes them", () => {
  it("figure 19: weekly category share by tokens, among the named categories shown", async () => {
    const rows = await run("Weekly category share weighted by tokens (figure 19)");
    const expected = [W1, W2].flatMap((week) => {
      const cells = sumBy(
        RELEASED.filter((e) => e.day === week),
        (e) => e.category,
        tokensOf,
      );
      return [...shares(cells, (c) => c !== "others")]
        .sort((a, b) => b[1] - a[1])
        .map(([category, pct]) => ({ week, category, pct: pct }));
    });
    expect(rows.map((r) => ({ week: String(r.week), category: r.category, pct: r.pct_tokens }))).toEqual(
      expected,
    );
    expect(rows.map((r) => r.category)).not.toContain("legal"); // 3 events: under k
  });

  it("figure 20: programming's share of one author's spend, by month", async () => {
    const rows = await run(
      "Programming's share by month, for one model author, weighted by spend (figure 20)",
    );
    const anthropic = RELEASED.filter((e) => e.unitAuthor === "anthropic");
    const cells = sumBy(anthropic, (e) => e.category, spendOf);
    expect(rows).toEqual([
      { month: "2014-03-01", programming_pct_of_spend: shares(cells).get("programming") },
    ]);
  });

  it("figure 21: tag composition within each category over the range", async () => {
    const rows = await run("Tag composition within each category (figure 21)");
    // every tag of the seed is carried by all of its unit's events (>= k): all are shown
    const byTag: (Item & { tag: string })[] = RELEASED.flatMap((e) =>
      (e.labels ?? []).map((l) => ({ ...e, tag: l.tag })),
    );
    const expected = ["programming", "roleplay", "translation"].flatMap((category) => {
      const cells = sumBy(
        byTag.filter((e) => e.category === category),
        (e) => e.tag,
        tokensOf,
      );
      return [...shares(cells)].sort((a, b) => b[1] - a[1]).map(([tag, pct]) => ({ category, tag, pct }));
    });
    expect(rows.map((r) => ({ category: r.category, tag: r.tag, pct: r.pct_of_category_tokens }))).toEqual(
      expected,
    );
  });

  it("figures 22-23: each author's category mix by tokens", async () => {
    const rows = await run("Category mix per model author (figures 22-23)");
    const author = (e: (typeof RELEASED)[number]) => e.unitAuthor ?? "(pool)";
    const cells = sumBy(RELEASED, (e) => `${author(e)}|${e.category}`, tokensOf);
    const authors = [...new Set(RELEASED.flatMap((e) => e.unitAuthor ?? []))].sort();
    const expected = authors.flatMap((a) => {
      const mine = new Map(
        [...cells]
          .filter(([k]) => k.startsWith(`${a}|`) && !k.endsWith("|others"))
          .map(([k, v]) => [k.split("|")[1] ?? "", v]),
      );
      return [...shares(mine)]
        .sort((x, y) => y[1] - x[1])
        .map(([category, pct]) => ({ author: a, category, pct }));
    });
    expect(
      rows.map((r) => ({ author: r.author, category: r.category, pct: r.pct_of_author_tokens })),
    ).toEqual(expected);
  });

  it("figure 26: cost versus usage per category, and which side of the study's median price", async () => {
    const rows = await run("Cost versus usage per category (figure 26)");
    const tokens = sumBy(RELEASED, (e) => e.category, tokensOf);
    const spend = sumBy(RELEASED, (e) => e.category, spendOf);
    const expected = [...tokens]
      .sort((a, b) => b[1] - a[1])
      .map(([category, est]) => {
        const price = ((spend.get(category) ?? 0) / est) * 1e6;
        return {
          category,
          est_tokens: est,
          usd_per_mtok: Math.round(price * 1000) / 1000,
          above: price > 0.73,
        };
      });
    expect(
      rows.map((r) => ({
        category: r.category,
        est_tokens: r.est_tokens,
        usd_per_mtok: r.usd_per_mtok,
        above: r.above_study_median,
      })),
    ).toEqual(expected);
  });

  /** Per week, the named categories' shares of tokens of the released units of `groups`. */
  const weeklyShares = (groups: string[]) =>
    [W1, W2].flatMap((week) => {
      const cells = sumBy(
        RELEASED.filter((e) => e.day === week && groups.includes(groupOf(e))),
        (e) => e.category,
        tokensOf,
      );
      return [...shares(cells, (c) => c !== "others")]
        .sort((a, b) => b[1] - a[1])
        .map(([category, pct]) => ({ week, category, pct }));
    });

  it("figure 6: open models' category share by tokens, per week", async () => {
    const rows = await run("Category share of open models over time (figure 6)");
    const expected = weeklyShares(["oss-china", "oss-row"]);
    expect(
      rows.map((r) => ({ week: String(r.week), category: r.category, pct: r.pct_of_oss_tokens })),
    ).toEqual(expected);
    // the seed's open traffic is mostly roleplay, as in the study
    expect(expected[0]).toEqual({ week: W1, category: "roleplay", pct: 72.9 });
  });

  it("figure 7: Chinese open models' category share, without the one under k", async () => {
    const rows = await run("Category share of Chinese open models over time (figure 7)");
    expect(
      rows.map((r) => ({ week: String(r.week), category: r.category, pct: r.pct_of_chinese_oss_tokens })),
    ).toEqual(weeklyShares(["oss-china"]));
    expect(rows.map((r) => r.category)).not.toContain("translation"); // Qwen's 4: under k
  });

  it("figures 8-9: programming and roleplay split across closed, Chinese open, other open and unknown", async () => {
    const rows = await run(
      "Programming and roleplay across closed, Chinese open and other open models (figures 8–9)",
    );
    const answerGroup = (e: Item) => (groupOf(e).startsWith("closed-") ? "closed" : groupOf(e));
    const expected = [W1, W2].flatMap((week) =>
      ["programming", "roleplay"].flatMap((category) => {
        const mine = RELEASED.filter((e) => e.day === week && e.category === category);
        return [...shares(sumBy(mine, answerGroup, tokensOf))]
          .sort((a, b) => a[0].localeCompare(b[0]))
          .map(([group, pct]) => ({ week, category, group, pct }));
      }),
    );
    expect(
      rows.map((r) => ({
        week: String(r.week),
        category: r.category,
        group: r.source_group,
        pct: r.pct_of_category_tokens,
      })),
    ).toEqual(expected);
    // acme/secret-model is shown, as unknown: never guessed into a group
    expect(expected).toContainEqual(
      expect.objectContaining({ week: W1, category: "programming", group: "unknown" }),
    );
  });

  it("the category mix by reasoning: each seed unit is of one model, so of one value", async () => {
    const rows = await run("The category mix by reasoning and by size");
    const entries = loadCatalogue().entries;
    const reasoning = (e: Item) =>
      String(lookupModel(entries, e.model ?? "openai/gpt-5").reasoning ?? "unknown");
    const expected = [W1, W2].flatMap((week) =>
      ["false", "true", "unknown"].flatMap((value) => {
        const mine = RELEASED.filter((e) => e.day === week && reasoning(e) === value);
        return [
          ...shares(
            sumBy(mine, (e) => e.category, tokensOf),
            (c) => c !== "others",
          ),
        ]
          .sort((a, b) => b[1] - a[1])
          .map(([category, pct]) => ({ week, reasoning: value, category, pct }));
      }),
    );
    expect(
      rows.map((r) => ({
        week: String(r.week),
        reasoning: r.reasoning,
        category: r.category,
        pct: r.pct_tokens,
      })),
    ).toEqual(expected);
    expect(new Set(expected.map((e) => e.reasoning))).toEqual(new Set(["false", "true", "unknown"]));
  });
});
