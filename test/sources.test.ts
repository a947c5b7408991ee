import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKSTOP_MS } from "./support/progress";
import { seed } from "./support/seed";
import { createStack, json, type Stack } from "./support/stack";
import { createExtraDatabase, dropExtraDatabase, TEST_REDIS_URL } from "./support/urls";

// Issue 21, items 2 and its "done": events of open models from China and the rest of the world, a
// closed one and one the catalogue does not know, through the real store (rollup triggers and
// release units), then the answers by source. A database of its own: `census catalogue check`
// counts every stored event, and a reload changes the groups of stored models.

const run = promisify(execFile);
const K = 10;
const DAY = "2019-05-06"; // a Monday
const W = `from=${DAY}&to=2019-05-13&interval=week&engine=synthetic`;
const DAY2 = "2019-05-13";
const W2 = `from=${DAY2}&to=2019-05-20&interval=week&engine=synthetic&weight=requests`;
const MODELS = {
  "deepseek/deepseek-chat": 12,
  "qwen/qwen3-coder": 11,
  "meta-llama/llama-3.3-70b-instruct": 13,
  "anthropic/claude-sonnet-4.5": 14,
  "acme/secret-model": 15,
};

let url: string;
let stack: Stack;
let read: string;
const dir = mkdtempSync(join(tmpdir(), "sources-"));
const census = (args: string[], more: Record<string, string> = {}) =>
  run("node", ["bin/census.js", ...args], {
    env: { ...process.env, DATABASE_URL: url, REDIS_URL: TEST_REDIS_URL, MODEL_CATALOGUE: "", ...more },
  });
const get = async (path: string) => {
  const res = await stack.app.request(`/v1/stats/${path}`, { headers: { authorization: `Bearer ${read}` } });
  expect(res.status, path).toBe(200);
  return json(res);
};
const events = (rows: { events: number }[]) => rows.reduce((s, r) => s + r.events, 0);
type SourceRow = { group: string; category: string; events: number; shareOfCategory: number | null };
const byGroup = (rows: SourceRow[]) => Object.fromEntries(rows.map((r) => [r.group, r.events]));

beforeAll(async () => {
  url = await createExtraDatabase("sources");
  stack = await createStack({ worker: false, env: { DATABASE_URL: url, K_MIN_EVENTS: String(K) } });
  read = await stack.key("read");
  await census(["catalogue", "reload"]);
  await seed(
    stack.deps.pool,
    Object.entries(MODELS).map(([model, n]) => ({ day: DAY, category: "programming", model, n })),
  );
  // two groups' small models, 5 + 5: one pool over groups would hold k; pools never mix groups
  // the next week: reasoning and size (item 5); Qwen's 7 + 4 pool under qwen, its sizes under k
  await seed(
    stack.deps.pool,
    [
      ["programming", "deepseek/deepseek-r1", 12], // reasoning, large
      ["programming", "qwen/qwq-32b", 7], // reasoning, medium
      ["programming", "qwen/qwen3-8b", 4], // reasoning, small
      ["programming", "google/gemma-3-12b-it", 10], // small
      ["roleplay", "meta-llama/llama-3.3-70b-instruct", 11], // large
      ["roleplay", "acme/secret-model", 10], // unknown, both
      ["roleplay", "anthropic/claude-sonnet-4.5", 10], // size unknown: closed
    ].map(([category, model, n]) => ({
      day: DAY2,
      category: String(category),
      model: String(model),
      n: Number(n),
    })),
  );
  await seed(stack.deps.pool, [
    { day: DAY, category: "roleplay", model: "deepseek/deepseek-chat", n: 5 },
    { day: DAY, category: "roleplay", model: "meta-llama/llama-3.3-70b-instruct", n: 5 },
  ]);
}, BACKSTOP_MS);
afterAll(async () => {
  await stack?.close();
  if (url) await dropExtraDatabase(url);
  rmSync(dir, { recursive: true, force: true });
});

describe("the category answer by source and origin", () => {
  it("source=oss counts the three open models' events, &origin=china only DeepSeek's and Qwen's", async () => {
    const all = await get(`categories?${W}&weight=requests`);
    expect(events(all.rows)).toBe(12 + 11 + 13 + 14 + 15);
    const oss = await get(`categories?${W}&source=oss`);
    expect(events(oss.rows)).toBe(12 + 11 + 13);
    expect(oss.query).toMatchObject({ source: "oss", origin: null });
    expect(events((await get(`categories?${W}&source=oss&origin=china`)).rows)).toBe(12 + 11);
    expect(events((await get(`categories?${W}&origin=china`)).rows)).toBe(12 + 11);
    expect(events((await get(`categories?${W}&source=closed`)).rows)).toBe(14);
    expect(events((await get(`categories?${W}&source=oss&origin=row`)).rows)).toBe(13);
  });

  it("the roleplay 5 + 5 of two groups are hidden: no pool mixes groups", async () => {
    const all = await get(`categories?${W}&weight=requests`);
    expect(all.rows.map((r: { category: string }) => r.category)).toEqual(["programming"]);
  });
});

describe("GET /v1/stats/sources", () => {
  it("puts Claude under closed and acme/secret-model under unknown, with shares of the category", async () => {
    const body = await get(`sources?${W}&weight=requests`);
    expect(byGroup(body.rows)).toEqual({ closed: 14, "oss-china": 23, "oss-row": 13, unknown: 15 });
    const total = 14 + 23 + 13 + 15;
    for (const r of body.rows as (SourceRow & { shareLow: number; shareHigh: number })[]) {
      expect(r.shareOfCategory).toBeCloseTo(r.events / total, 10); // one sample rate: requests ∝ events
      expect(r.shareLow).toBeLessThanOrEqual(r.shareOfCategory as number);
      expect(r.shareHigh).toBeGreaterThanOrEqual(r.shareOfCategory as number);
    }
    expect(body.totals).toEqual([expect.objectContaining({ events: total })]);
  });

  it("answers CSV with the same rows", async () => {
    const res = await stack.app.request(`/v1/stats/sources?${W}&category=programming`, {
      headers: { authorization: `Bearer ${read}`, accept: "text/csv" },
    });
    const lines = (await res.text()).trim().split("\r\n");
    expect(lines[0]).toBe(
      '"period","category","group","events","value","estimated","shareOfCategory","shareLow","shareHigh"',
    );
    expect(lines.slice(1).map((l) => l.split(",")[2])).toEqual([
      '"closed"',
      '"oss-china"',
      '"oss-row"',
      '"unknown"',
    ]);
  });

  it("refuses a group or source it does not know, 400 not 500", async () => {
    for (const q of ["categories?source=open", "categories?origin=us", "sources?weight=words"]) {
      const res = await stack.app.request(`/v1/stats/${q}`, { headers: { authorization: `Bearer ${read}` } });
      expect(res.status, q).toBe(400);
    }
  });
});

describe("the category mix by reasoning and size (the catalogue's, inside released units)", () => {
  const mix = async (filter: string) =>
    Object.fromEntries(
      ((await get(`categories?${W2}&${filter}`)).rows as { category: string; events: number }[]).map((r) => [
        r.category,
        r.events,
      ]),
    );

  it.each([
    // Qwen's pool holds 7 medium and 4 small reasoning models: each trait under k, so pooled under
    // no reasoning and no size (reasoning=true showing them while size hid them was a leak: all
    // large minus all non-reasoning is the large reasoning models)
    ["reasoning=true", { programming: 12 }],
    ["reasoning=false", { programming: 10, roleplay: 11 + 10 }],
    ["reasoning=unknown", { roleplay: 10 }],
    ["size=large", { programming: 12, roleplay: 11 }],
    ["size=small", { programming: 10 }],
    ["size=medium", {}],
    ["size=unknown", { roleplay: 10 + 10 }],
    ["reasoning=true&source=oss&origin=china", { programming: 12 }],
    ["reasoning=false&origin=row", { programming: 10, roleplay: 11 + 10 }],
    ["reasoning=false&source=oss&origin=row", { programming: 10, roleplay: 11 }],
  ])("%s", async (filter, expected) => {
    expect(await mix(filter)).toEqual(expected);
  });

  it("no two trait answers difference into a hidden piece: twin weeks that differ only inside a pool answer alike", async () => {
    // One oss-china pool per week (every model and author under k). Week A: the large reasoning
    // model minimax-m2 holds 5, week B 4, and the large non-reasoning ones 10 against 11: the
    // pooled pieces differ, the shown one (medium reasoning, 12) and the unit (27) do not. Two
    // breakdowns pooled apart gave large 15 and non-reasoning 10 in A, so large minus
    // non-reasoning was minimax-m2's hidden 5 (and reasoning=true answered 17 in A, 16 in B).
    const week = (day: string, minimax: number, chat: number) =>
      [
        ["minimax/minimax-m2", minimax],
        ["moonshotai/kimi-k2", 9],
        ["deepseek/deepseek-chat", chat],
        ["qwen/qwq-32b", 6],
        ["deepseek/deepseek-r1-distill-qwen-32b", 6],
      ].map(([model, n]) => ({ day, category: "translation", model: String(model), n: Number(n) }));
    await seed(stack.deps.pool, [...week("2019-06-03", 5, 1), ...week("2019-06-10", 4, 2)]);
    const at = (from: string, to: string, filter: string) =>
      get(`categories?from=${from}&to=${to}&interval=week&engine=synthetic&${filter}`).then((a) =>
        (a.rows as { category: string; events: number }[]).map((r) => [r.category, r.events]),
      );
    for (const filter of [
      "source=oss",
      ...["true", "false", "unknown"].map((v) => `reasoning=${v}`),
      ...["small", "medium", "large", "unknown"].map((v) => `size=${v}`),
    ]) {
      expect(await at("2019-06-03", "2019-06-10", filter), filter).toEqual(
        await at("2019-06-10", "2019-06-17", filter),
      );
    }
    expect(await at("2019-06-03", "2019-06-10", "reasoning=true")).toEqual([["translation", 12]]);
  });

  it("refuses what a breakdown does not keep: spend, a model or author, both traits at once", async () => {
    for (const q of [
      "reasoning=true&weight=spend",
      "size=large&model=qwen/qwq-32b",
      "reasoning=true&size=small",
    ]) {
      const res = await stack.app.request(`/v1/stats/categories?${q}`, {
        headers: { authorization: `Bearer ${read}` },
      });
      expect(res.status, q).toBe(400);
    }
  });
});

describe("census catalogue", () => {
  it("check names acme/secret-model", async () => {
    const { stdout } = await census(["catalogue", "check", "--json"]);
    expect(
      stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l).model),
    ).toEqual(["acme/secret-model"]);
  });

  it("reload with a changed catalogue never re-cuts a released unit: the change applies from a cutoff on", {
    timeout: 60_000,
  }, async () => {
    const file = join(dir, "ops.json");
    const entry = {
      match: "acme/*",
      source: "oss",
      origin: "china",
      reasoning: false,
      cite: "https://acme.example/card",
    };
    const before = (await get(`sources?${W}`)).rows;
    writeFileSync(file, JSON.stringify({ version: "acme-1", entries: [entry] }));
    const { stdout } = await census(["catalogue", "reload"], { MODEL_CATALOGUE: file });
    expect(stdout).toContain("changes the group or traits of 1 stored model");
    // 2019's units are cut as they were released: acme/secret-model stays unknown there
    expect((await get(`sources?${W}`)).rows).toEqual(before);
    expect(byGroup(before)).toMatchObject({ "oss-china": 23, unknown: 15 });
    // from the cutoff (the day after tomorrow, UTC) on, the new catalogue's group
    const cutoff = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
    await seed(stack.deps.pool, [
      { day: cutoff, category: "programming", model: "acme/secret-model", n: 10 },
    ]);
    const next = new Date(Date.parse(cutoff) + 86_400_000).toISOString().slice(0, 10);
    const at = `from=${cutoff}&to=${next}&interval=day&engine=synthetic`;
    expect(byGroup((await get(`sources?${at}`)).rows)).toEqual({ "oss-china": 10 });
    // the same catalogue again: nothing changes
    expect((await census(["catalogue", "reload"], { MODEL_CATALOGUE: file })).stdout).not.toContain(
      "changes",
    );
    expect((await get(`sources?${W}`)).rows).toEqual(before);
  });
});
