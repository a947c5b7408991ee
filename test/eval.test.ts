import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runMigrations } from "../src/db/migrate";
import { createLogger } from "../src/platform/logger";
import { spawnCensus } from "./support/processes";
import { seed } from "./support/seed";
import { createStack, json, type Stack } from "./support/stack";
import { dropExtraDatabase, extraDatabaseUrl, TEST_DATABASE_URL, TEST_REDIS_URL } from "./support/urls";

// `census eval` end to end with the built-in emulator, whose answers are known (its keyword
// table, src/emulator/answer.ts), on a database of its own so "stores no event" is exact; then
// `?adjust=` with the calibration it saved.

const CANARY = `canary${randomBytes(6).toString("hex")}`;
const ID_CANARY = `idcanary${randomBytes(6).toString("hex")}`;

// expected -> what the emulator makes of the text (study-2025 mapping)
const LABELLED = [
  { text: `Please fix this python function ${CANARY}, it fails`, expected: "programming", id: ID_CANARY }, // programming: right
  { text: "Translate this paragraph for me, please", expected: "translation" }, // translation: right
  { text: "Write a short poem about autumn leaves", expected: "creative-writing" }, // poetry: right
  { text: "Why does this regex not match my input", expected: "general-qa" }, // programming: wrong
  { text: "Tell me a story about a brave dragon", expected: "roleplay", id: 7 }, // creative-writing: wrong
  { text: "مرحبا، كيف يمكنني تعلم الطبخ في المنزل بسرعة", expected: "general-qa" }, // refused language
  { text: "[[emulate:too-short]] hello there old friend", expected: "general-qa" }, // too short
  { text: "\u200b\u200b", expected: "others" }, // nothing visible: no call at all
];

let url: string;
let file: string;
let stack: Stack | undefined;

beforeAll(async () => {
  url = extraDatabaseUrl("eval");
  const admin = new pg.Pool({ connectionString: TEST_DATABASE_URL, max: 1 });
  await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(new URL(url).pathname.slice(1))}`);
  await admin.end();
  await runMigrations(url, createLogger("silent"));
  file = join(mkdtempSync(join(tmpdir(), "census-eval-")), "known.jsonl");
  writeFileSync(file, `${LABELLED.map((l) => JSON.stringify(l)).join("\n")}\n`);
}, 60_000);

afterAll(async () => {
  await stack?.close();
  await dropExtraDatabase(url);
});

async function censusEval(...args: string[]) {
  const run = spawnCensus(["eval", file, ...args], {
    env: {
      ...process.env,
      DATABASE_URL: url,
      REDIS_URL: TEST_REDIS_URL,
      CLASSIFIER: "emulator",
      LANGUAGE_EMULATOR_HOST: "",
      LOG_LEVEL: "silent",
    },
  });
  expect(await run.exited, run.output()).toBe(0);
  return run;
}

describe("census eval", () => {
  it("reports exactly the agreement, confusion and coverage that follow from known answers, storing no event", async () => {
    const run = await censusEval("--json", "--save", "known");
    const report = JSON.parse(run.stdout());
    expect(report.n).toBe(8);
    expect(report.scored).toBe(5);
    expect(report.agreement).toBe(3 / 5);
    expect(report.confusion).toEqual({
      programming: { programming: 1 },
      translation: { translation: 1 },
      "creative-writing": { "creative-writing": 1 },
      "general-qa": { programming: 1 },
      roleplay: { "creative-writing": 1 },
    });
    expect(report.perCategory.programming).toEqual({ precision: 0.5, recall: 1, support: 1 });
    expect(report.perCategory["general-qa"]).toEqual({ precision: null, recall: 0, support: 1 });
    expect(report.coverage).toEqual({
      classified: 5,
      noLabel: 0,
      refusedLanguage: 1,
      tooShort: 1,
      invalid: 0,
      noText: 1,
    });
    expect(report.otherRule).toEqual({ changed: 0, agreement: 3 / 5 });
    expect(run.stderr()).toMatch(/calibration known saved: 5 classified texts/);

    const db = new pg.Pool({ connectionString: url, max: 1 });
    try {
      const counts = await db.query(
        "SELECT (SELECT count(*) FROM prompt_events)::int AS events, (SELECT count(*) FROM prompt_labels)::int AS labels, (SELECT count(*) FROM rollup_category_daily)::int AS rollups",
      );
      expect(counts.rows[0]).toEqual({ events: 0, labels: 0, rollups: 0 });
      // no text and no id anywhere in the database (the cache keeps keyed hashes and answers)
      const { rows: tables } = await db.query<{ name: string }>(
        `SELECT format('%I.%I', table_schema, table_name) AS name FROM information_schema.tables
         WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')`,
      );
      const dump: string[] = [];
      for (const { name } of tables) {
        dump.push(
          ...(await db.query<{ row: string }>(`SELECT t::text AS row FROM ${name} t`)).rows.map((r) => r.row),
        );
      }
      expect(dump.length).toBeGreaterThan(0);
      expect(dump.join("\n")).not.toContain(CANARY);
      expect(dump.join("\n")).not.toContain(ID_CANARY);
      const saved = await db.query("SELECT scheme, engine, texts, confusion FROM calibrations");
      expect(saved.rows).toEqual([
        { scheme: "study-2025", engine: "emulator", texts: 5, confusion: report.confusion },
      ]);
    } finally {
      await db.end();
    }
  }, 120_000);

  it("scores another scheme from the cache, without calling the classifier again", async () => {
    const run = await censusEval("--mapping", "extended");
    expect(run.stdout()).toMatch(
      /scheme extended\/\S+, engine emulator, threshold 0\.5; 0 classifier calls, 7 cached answers/,
    );
    expect(run.stdout()).toMatch(/agreement: 60\.0%/);
  }, 120_000);
});

describe("?adjust=NAME on /v1/stats/categories", () => {
  const path = (q: string) =>
    `/v1/stats/categories?engine=emulator&from=2020-01-06&to=2020-01-13&interval=week${q}`;
  let read: string;
  beforeAll(async () => {
    stack = await createStack({ worker: false, env: { DATABASE_URL: url } });
    read = await stack.key("read");
    await seed(stack.deps.pool, [
      { day: "2020-01-06", category: "programming", engine: "emulator", n: 20 },
      { day: "2020-01-07", category: "creative-writing", engine: "emulator", n: 15 },
      { day: "2020-01-08", category: "translation", engine: "emulator", n: 12 },
      { day: "2020-01-09", category: "others", engine: "emulator", n: 10 },
    ]);
  }, 60_000);
  const get = (q: string, accept = "application/json") =>
    (stack as Stack).app.request(path(q), { headers: { authorization: `Bearer ${read}`, accept } });

  it("returns adjusted shares that sum to 1 per period, with intervals, naming the calibration and its size", async () => {
    const plain = await json(await get(""));
    const res = await get("&adjust=known");
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.rows).toEqual(plain.rows); // additive: the answer's own rows are untouched
    expect(body.adjusted.calibration).toMatchObject({ name: "known", texts: 5, engine: "emulator" });
    expect(body.notes.join(" ")).toMatch(/calibration known \(5 classified texts/);
    const rows = body.adjusted.rows as {
      period: string;
      category: string;
      share: number;
      shareLow: number;
      shareHigh: number;
    }[];
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.period === "2020-01-06")).toBe(true);
    expect(rows.reduce((s, r) => s + r.share, 0)).toBeCloseTo(1, 9);
    for (const r of rows) {
      expect(r.shareLow).toBeLessThanOrEqual(r.share);
      expect(r.share).toBeLessThanOrEqual(r.shareHigh);
    }
    // the calibration saw creative-writing take every roleplay text: some of it is roleplay
    const share = (c: string) => rows.find((r) => r.category === c)?.share ?? 0;
    expect(share("roleplay")).toBeGreaterThan(0);
  });

  it("answers the adjusted rows as CSV", async () => {
    const csv = await (await get("&adjust=known", "text/csv")).text();
    expect(csv.split("\r\n")[0]).toBe('"period","category","share","shareLow","shareHigh"');
  });

  it.each([
    ["an unknown calibration", "&adjust=nope", 404],
    ["a malformed name", "&adjust=bad%20name", 400],
  ])("refuses %s", async (_, q, status) => {
    expect((await get(q)).status).toBe(status);
  });
});
