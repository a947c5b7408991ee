import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCatalogue } from "../src/catalogue/catalogue";
import { lookupModel } from "../src/catalogue/lookup";
import { bootstrapDatabase } from "../src/db/bootstrap";
import { createPool } from "../src/db/client";
import { loadTaxonomy } from "../src/taxonomy/load";
import { BACKSTOP_MS } from "./support/progress";
import { seed } from "./support/seed";
import { dropExtraDatabase, extraDatabaseUrl, TEST_REDIS_URL } from "./support/urls";

// The model catalogue end to end (issue 21): `census catalogue reload` writes it, the analysts'
// function reads it, `census catalogue check` names the stored models it does not know. A database
// of its own: `check` counts every stored event.

const run = promisify(execFile);
const url = extraDatabaseUrl("catalogue");
const dir = mkdtempSync(join(tmpdir(), "catalogue-"));
const env = { ...process.env, DATABASE_URL: url, REDIS_URL: TEST_REDIS_URL, MODEL_CATALOGUE: "" };
const census = (args: string[], more: Record<string, string> = {}) =>
  run("node", ["bin/census.js", ...args], { env: { ...env, ...more } });

let pool: pg.Pool;
beforeAll(async () => {
  await census(["catalogue", "reload"]); // migrates the new database first
  pool = createPool(url, { max: 2 });
  await bootstrapDatabase(pool, { taxonomy: loadTaxonomy(), kMinEvents: 10 });
  const day = "2019-03-04";
  await seed(pool, [
    { day, category: "programming", model: "deepseek/deepseek-chat", n: 3 },
    { day, category: "programming", model: "qwen/qwen3-coder", n: 2 },
    { day, category: "roleplay", model: "meta-llama/llama-3.3-70b-instruct", n: 2 },
    { day, category: "programming", model: "anthropic/claude-sonnet-4.5", n: 2 },
    { day, category: "roleplay", model: "acme/secret-model", n: 1 },
  ]);
}, BACKSTOP_MS);
afterAll(async () => {
  await pool?.end();
  await dropExtraDatabase(url);
  rmSync(dir, { recursive: true, force: true });
});

describe("census catalogue", () => {
  it(
    "check names only the model the catalogue does not know, with its share of the events",
    async () => {
      const { stdout } = await census(["catalogue", "check", "--json"]);
      expect(
        stdout
          .trim()
          .split("\n")
          .map((l) => JSON.parse(l)),
      ).toEqual([{ model: "acme/secret-model", events: 1, share: 0.1 }]);
      const table = await census(["catalogue", "check"]);
      expect(table.stdout).toMatch(
        /^model catalogue catalogue-[\w-]+\n1 unknown models: 10\.0% of 10 stored events/,
      );
      expect(table.stdout).toMatch(/acme\/secret-model \| 1 +\| 10\.0%/);
    },
    BACKSTOP_MS,
  );

  it("gives analysts each model's attributes, through the analyst role", async () => {
    const client = await pool.connect();
    try {
      await client.query("BEGIN");
      await client.query("SET LOCAL ROLE census_analyst");
      const { rows } = await client.query(
        `SELECT m AS model, a.source, a.origin, a.size, a.reasoning
         FROM unnest($1::text[]) m CROSS JOIN LATERAL analytics.model_attributes(m) a ORDER BY m`,
        [
          [
            "deepseek/deepseek-chat",
            "meta-llama/llama-3.3-70b-instruct",
            "anthropic/claude-sonnet-4.5",
            "acme/secret-model",
          ],
        ],
      );
      expect(rows).toEqual([
        { model: "acme/secret-model", source: "unknown", origin: "unknown", size: null, reasoning: null },
        {
          model: "anthropic/claude-sonnet-4.5",
          source: "closed",
          origin: "row",
          size: null,
          reasoning: false,
        },
        { model: "deepseek/deepseek-chat", source: "oss", origin: "china", size: "large", reasoning: false },
        {
          model: "meta-llama/llama-3.3-70b-instruct",
          source: "oss",
          origin: "row",
          size: "large",
          reasoning: false,
        },
      ]);
      const catalogue = await client.query("SELECT count(*)::int AS n FROM analytics.model_catalogue");
      expect(catalogue.rows[0].n).toBeGreaterThan(50);
    } finally {
      await client.query("ROLLBACK");
      client.release();
    }
  });

  it("reads every id as the TypeScript lookup does (one rule, two places)", async () => {
    const { entries } = loadCatalogue();
    const ids = entries.flatMap((e) => {
      const id = e.match.replace(/\*$/, "x-1");
      return [id, `${id}:free`, id.toUpperCase(), e.match.replace(/\*$/, "")];
    });
    ids.push("acme/secret-model", "anthropic/claude-3.7-sonnet:thinking", "openai", "");
    const { rows } = await pool.query(
      `SELECT a.model, a.matched, a.source, a.origin, a.size, a.params, a.reasoning
       FROM unnest($1::text[]) m CROSS JOIN LATERAL analytics.model_attributes(m) a`,
      [ids],
    );
    expect(rows).toEqual(ids.map((id) => lookupModel(entries, id)));
  });

  it(
    "takes an operator's file over the default: reload, and the model is known",
    async () => {
      const file = join(dir, "ops.json");
      const entry = {
        match: "acme/*",
        source: "closed",
        origin: "row",
        reasoning: false,
        cite: "https://acme.example/models",
      };
      writeFileSync(file, JSON.stringify({ version: "acme-1", entries: [entry] }));
      try {
        const { stdout } = await census(["catalogue", "reload"], { MODEL_CATALOGUE: file });
        expect(stdout).toMatch(/^model catalogue catalogue-[\w-]+\+acme-1: \d+ entries loaded/);
        expect((await census(["catalogue", "check", "--json"])).stdout.trim()).toBe("");
        const { rows } = await pool.query(
          "SELECT source, catalogue_version FROM analytics.model_attributes('acme/secret-model')",
        );
        expect(rows[0]).toMatchObject({
          source: "closed",
          catalogue_version: expect.stringMatching(/\+acme-1$/),
        });
        // a bad file is refused with what is wrong, and the stored catalogue stays as it was
        writeFileSync(file, JSON.stringify({ version: "acme-2", entries: [{ ...entry, size: "large" }] }));
        const bad = await census(["catalogue", "reload"], { MODEL_CATALOGUE: file }).catch(
          (e: { code: number; stderr: string }) => e,
        );
        expect(bad).toMatchObject({
          code: 2,
          stderr: expect.stringContaining("size and params are for oss models only"),
        });
      } finally {
        await census(["catalogue", "reload"]);
      }
    },
    BACKSTOP_MS,
  );
});
