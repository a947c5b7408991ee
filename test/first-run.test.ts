import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCatalogue } from "../src/catalogue/catalogue";
import { storeCatalogue } from "../src/catalogue/store";
import { runMigrations } from "../src/db/migrate";
import { createLogger } from "../src/platform/logger";
import { BACKSTOP_MS } from "./support/progress";
import { seed } from "./support/seed";
import { createStack, json, type Stack } from "./support/stack";
import { dropExtraDatabase, extraDatabaseUrl, TEST_DATABASE_URL, TEST_REDIS_URL } from "./support/urls";

// An analyst's first run, on a database of its own (the default engine is decided by all the data
// of a window, and `census demo --remove` deletes every synthetic event): emulator events only,
// then `census demo`, then every example of docs/analytics.md, then `census demo --remove`.

const run = promisify(execFile);
const DAY = 86_400_000;
const day = (offset: number) => new Date(Date.now() + offset * DAY).toISOString().slice(0, 10);
const AUTHORS = ["anthropic/claude-sonnet-4.5", "openai/gpt-5", "google/gemini-2.5-pro", "x-ai/grok-4"];

const url = extraDatabaseUrl("firstrun");
let stack: Stack;
let read: string;
const get = (path: string, accept = "application/json") =>
  stack.app.request(path, { headers: { authorization: `Bearer ${read}`, accept } });

/** `census <args>` on this file's database. */
const census = (...args: string[]) =>
  run("node", ["bin/census.js", ...args], {
    env: { ...process.env, DATABASE_URL: url, REDIS_URL: TEST_REDIS_URL, LOG_LEVEL: "warn" },
    maxBuffer: 16 * 1024 * 1024,
  });

beforeAll(async () => {
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(new URL(url).pathname.slice(1))}`);
  await admin.end();
  await runMigrations(url, createLogger("silent"));
  stack = await createStack({ worker: false, env: { DATABASE_URL: url } });
  // the model catalogue, as `census start` stores it: the guide's by-source figures read it
  await storeCatalogue(stack.deps.pool, loadCatalogue());
  read = await stack.key("read");
});
afterAll(async () => {
  await stack?.close();
  await dropExtraDatabase(url);
});

async function asAnalyst<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await stack.deps.pool.connect();
  try {
    await client.query("SET ROLE census_analyst");
    return await fn(client);
  } finally {
    await client.query("RESET ROLE");
    client.release();
  }
}

describe("a fresh install with the emulator's events only", () => {
  beforeAll(async () => {
    // 200 prompts over the last 7 days from 4 model authors, as the emulator stores them
    const items = [];
    for (let d = -6; d <= 0; d++) {
      for (const model of AUTHORS) {
        items.push({ day: day(d), model, category: "programming", n: 5, engine: "emulator" as const });
        items.push({ day: day(d), model, category: "roleplay", n: 2, engine: "emulator" as const });
      }
    }
    items.push({
      day: day(0),
      model: "openai/gpt-5",
      category: "translation",
      n: 4,
      engine: "emulator" as const,
    });
    expect(items.reduce((s, e) => s + e.n, 0)).toBe(200);
    await seed(stack.deps.pool, items);
  });

  it("GET /v1/stats/categories with no engine returns rows, names the engine and says it is the emulator's", async () => {
    const res = await get("/v1/stats/categories");
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.query.engine).toBe("emulator");
    expect(body.rows.length).toBeGreaterThan(0);
    expect(body.notes[0]).toMatch(/^No engine was named: answering from `emulator`/);
    expect(body.notes[1]).toMatch(/^Engine emulator: .*not Google's answers/);
    // every other stats answer too
    for (const path of ["tags", "authors", "coverage", "usage"]) {
      const other = await json(await get(`/v1/stats/${path}`));
      expect(other.query.engine, path).toBe("emulator");
      expect(
        other.notes.some((n: string) => n.startsWith("Engine emulator")),
        path,
      ).toBe(true);
    }
    // named: no guessing note, and Google's (empty) numbers when Google's are asked for
    const google = await json(await get("/v1/stats/categories?engine=google"));
    expect(google.query.engine).toBe("google");
    expect(google.rows).toEqual([]);
    expect(google.notes.some((n: string) => /^(No engine|Engine )/.test(n))).toBe(false);
  });

  it("Google events the privacy floor hides do not choose the engine (it reads released units only)", async () => {
    // 3 events of one model, day and category: under k, in no released unit, so in no answer
    await seed(stack.deps.pool, [
      { day: day(-1), model: "openai/gpt-5", category: "legal", n: 3, engine: "google" as const },
    ]);
    for (const path of ["categories", "usage"]) {
      expect((await json(await get(`/v1/stats/${path}`))).query.engine, path).toBe("emulator");
    }
  });

  it("CSV carries the engine and its notice in headers, never as a row", async () => {
    const res = await get("/v1/stats/categories", "text/csv");
    expect(res.status).toBe(200);
    expect(res.headers.get("census-engine")).toBe("emulator");
    expect(res.headers.get("census-notice")).toMatch(/^Engine emulator: /);
    const text = await res.text();
    expect(text.split("\r\n")[0]).toBe(
      '"period","category","events","value","estimated","share","shareLow","shareHigh"',
    );
  });

  it("the usage counts the emulator's calls and prices none of them", async () => {
    const body = await json(await get("/v1/stats/usage"));
    expect(body.rows.reduce((s: number, r: { calls: number }) => s + r.calls, 0)).toBe(200);
    expect(body.rows.map((r: { estimatedCostUsd: unknown }) => r.estimatedCostUsd)).toEqual(
      body.rows.map(() => null),
    );
    expect(body.notes.some((n: string) => /went to Google/.test(n))).toBe(true);
  });

  it("the analytics views answer from the data's engine too", async () => {
    await asAnalyst(async (c) => {
      expect((await c.query("SELECT analytics.default_engine() AS e")).rows[0].e).toBe("emulator");
      expect((await c.query("SELECT * FROM analytics.category_weekly")).rows.length).toBeGreaterThan(0);
    });
  });
});

/** docs/analytics.md's SQL examples (each statement of each block but the role set-up). */
function docSql(doc: string): string[] {
  return [...doc.matchAll(/```sql\n([\s\S]*?)```/g)]
    .flatMap((m) => (m[1] ?? "").split(/;\s*(?:\n|$)/))
    .map((q) => q.replace(/^--.*$/gm, "").trim())
    .filter((q) => q !== "" && !/^(CREATE ROLE|GRANT)/.test(q));
}

/** docs/analytics.md's curl examples: path and query, with the shell's dates worked out. */
function docCurls(doc: string): { path: string; csv: boolean }[] {
  return [...doc.matchAll(/^curl .*"\$BASE(\/v1\/[^"]*)"$/gm)].map((m) => ({
    path: (m[1] ?? "").replace(/\$\(date -u -d '(\d+) days ago' \+%F\)/g, (_, n) => day(-Number(n))),
    csv: m[0].includes("text/csv"),
  }));
}

describe("census demo", () => {
  it(
    "loads synthetic events every example answers from, and --remove deletes them all",
    async () => {
      const { stdout } = await census("demo");
      expect(stdout).toMatch(/^demo loaded: 200000 synthetic events over the last 120 days/);
      const pool = stack.deps.pool;

      // the Done-means query: at least 10 weekly periods with rows over the last 90 days
      const res = await get(
        `/v1/stats/categories?engine=synthetic&interval=week&from=${day(-90)}&to=${day(1)}`,
      );
      const body = await json(res);
      expect(res.status).toBe(200);
      expect(new Set(body.rows.map((r: { period: string }) => r.period)).size).toBeGreaterThanOrEqual(10);
      expect(body.notes.some((n: string) => n.startsWith("Engine synthetic: demo data"))).toBe(true);
      // unnamed, the window's most released events are the demo's (no Google data)
      expect((await json(await get("/v1/stats/categories"))).query.engine).toBe("synthetic");
      // several authors, languages and outcomes
      const authors = await json(await get("/v1/stats/authors?engine=synthetic"));
      expect(new Set(authors.rows.map((r: { author: string }) => r.author)).size).toBeGreaterThanOrEqual(5);
      const coverage = await json(
        await get("/v1/stats/coverage?engine=synthetic&interval=range&by=language"),
      );
      expect(new Set(coverage.rows.map((r: { outcome: string }) => r.outcome))).toEqual(
        new Set(["classified", "too_short", "unsupported_language"]),
      );

      // every example of the guide runs and returns rows
      const doc = readFileSync(new URL("../docs/analytics.md", import.meta.url), "utf8");
      const queries = docSql(doc);
      expect(queries.length).toBeGreaterThanOrEqual(10);
      await asAnalyst(async (c) => {
        for (const q of queries) expect((await c.query(q)).rows.length, q).toBeGreaterThan(0);
      });
      const curls = docCurls(doc);
      expect(curls.length).toBeGreaterThanOrEqual(10);
      for (const { path, csv } of curls) {
        const answer = await get(path, csv ? "text/csv" : "application/json");
        expect(answer.status, path).toBe(200);
        if (csv) expect((await answer.text()).trim().split("\r\n").length, path).toBeGreaterThan(1);
        else expect((await json(answer)).rows.length, path).toBeGreaterThan(0);
      }

      const removed = await census("demo", "--remove");
      expect(removed.stdout).toMatch(/^demo removed: 200000 synthetic events/);
      const left = await pool.query(
        `SELECT (SELECT count(*) FROM prompt_events WHERE engine = 'synthetic')::int AS events,
           (SELECT count(*) FROM rollup_category_daily WHERE engine = 'synthetic')::int
           + (SELECT count(*) FROM rollup_tag_daily WHERE engine = 'synthetic')::int
           + (SELECT count(*) FROM rollup_language_daily WHERE engine = 'synthetic')::int
           + (SELECT count(*) FROM rollup_usage_daily WHERE engine = 'synthetic')::int
           + (SELECT count(*) FROM release_unit_daily WHERE engine = 'synthetic')::int
           + (SELECT count(*) FROM release_breakdown_daily WHERE engine = 'synthetic')::int AS rollups,
           (SELECT count(*) FROM prompt_events WHERE engine = 'emulator')::int AS emulator`,
      );
      expect(left.rows[0]).toEqual({ events: 0, rollups: 0, emulator: 200 });
      const after = await json(await get("/v1/stats/categories"));
      expect(after.query.engine).toBe("emulator");
    },
    BACKSTOP_MS,
  );

  it("refuses options it does not know", async () => {
    await expect(census("demo", "--events", "zero")).rejects.toMatchObject({ code: 2 });
  });
});
