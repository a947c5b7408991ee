import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { eventIdFor } from "../src/ingest/sampling";
import { startHttp } from "../src/runtime";
import { useStackWithGoogle } from "./support/harness";
import { BACKSTOP_MS, waitForCount } from "./support/progress";
import { TEST_SECRET, uniqueId } from "./support/stack";

// @prompt-census/client as a router gets it: `npm pack`, then its tarball installed into an empty
// project with no network (it has no dependencies, so nothing else comes along), then one item
// recorded through require() and one through import against the running service, both stored.
// Its types are checked from a CommonJS and an ES module TypeScript file too.

const run = promisify(execFile); // async: the service answering them runs in this process
const ctx = useStackWithGoogle();
const dir = mkdtempSync(join(tmpdir(), "census-client-pkg-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const tsc = resolve("node_modules/typescript/bin/tsc");

const cjs = `const { createCensusClient, itemFromPrompt } = require("@prompt-census/client");
const census = createCensusClient({ url: process.env.CENSUS_URL, key: process.env.CENSUS_KEY, flushIntervalMs: 20 });
census.record(itemFromPrompt("Write a haiku about the sea", { requestId: process.env.REQUEST_ID, model: "openai/gpt-5" }));
census.flush().then(async () => { console.log(JSON.stringify(census.stats())); await census.close(); });
`;
const esm = `import { createCensusClient, itemFromPrompt } from "@prompt-census/client";
const census = createCensusClient({ url: process.env.CENSUS_URL, key: process.env.CENSUS_KEY, flushIntervalMs: 20 });
census.record(itemFromPrompt("Translate 'good morning' into Italian", { requestId: process.env.REQUEST_ID, model: "openai/gpt-5" }));
await census.flush();
console.log(JSON.stringify(census.stats()));
await census.close();
`;
const typed = (from: string) => `${from}
const census: CensusClient = createCensusClient({ url: "http://127.0.0.1:9", key: "k" });
const item: CensusItem = { requestId: "r", model: "m", prompt: "hi" };
const ok: boolean = census.record(item);
const problems: string[] = checkItem(item);
export { ok, problems };
`;

describe("the @prompt-census/client tarball", () => {
  it(
    "installs alone into an empty project, and require() and import each record an item that is stored",
    async () => {
      const { stdout } = await run("npm", ["pack", "--silent", "--pack-destination", dir], {
        cwd: "packages/client",
      });
      const tarball = join(dir, stdout.trim().split("\n").at(-1) ?? "");
      const project = join(dir, "router");
      await run("mkdir", ["-p", project]);
      writeFileSync(join(project, "package.json"), '{ "name": "router", "private": true }\n');
      await run("npm", ["install", "--offline", "--no-audit", "--no-fund", "--loglevel=error", tarball], {
        cwd: project,
      });
      const lock = JSON.parse(readFileSync(join(project, "package-lock.json"), "utf8"));
      expect(Object.keys(lock.packages).filter((p) => p !== "")).toEqual([
        "node_modules/@prompt-census/client",
      ]);
      expect(readdirSync(join(project, "node_modules")).filter((f) => !f.startsWith("."))).toEqual([
        "@prompt-census",
      ]);

      // its types, from a CommonJS and an ES module file (no @types/node: a browser-ish lib)
      const from =
        'import { type CensusClient, type CensusItem, checkItem, createCensusClient } from "@prompt-census/client";';
      writeFileSync(join(project, "typed.cts"), typed(from));
      writeFileSync(join(project, "typed.mts"), typed(from));
      const tscArgs = [
        "--noEmit",
        "--strict",
        "--module",
        "nodenext",
        "--lib",
        "es2022,dom",
        "--types",
        "node",
      ];
      await run(process.execPath, [tsc, ...tscArgs.slice(0, -2), "typed.cts", "typed.mts"], { cwd: project });

      const stack = ctx.stack;
      const http = await startHttp(stack.deps, 0);
      try {
        const tag = uniqueId("pkg");
        writeFileSync(join(project, "router.cjs"), cjs);
        writeFileSync(join(project, "router.mjs"), esm);
        for (const file of ["router.cjs", "router.mjs"]) {
          const out = await run(process.execPath, [file], {
            cwd: project,
            env: {
              ...process.env,
              CENSUS_URL: `http://127.0.0.1:${http.port}`,
              CENSUS_KEY: ctx.key,
              REQUEST_ID: `${tag}-${file}`,
            },
          });
          expect(JSON.parse(out.stdout), file).toMatchObject({ recorded: 1, sent: 1 });
        }
        const ids = ["router.cjs", "router.mjs"].map((f) => eventIdFor(TEST_SECRET, `${tag}-${f}`));
        await waitForCount(async () => {
          const { rows } = await stack.deps.pool.query(
            "SELECT count(*)::int AS n FROM prompt_events WHERE id = ANY($1)",
            [ids],
          );
          return rows[0].n as number;
        }, 2);
      } finally {
        await http.close();
      }
    },
    BACKSTOP_MS,
  );
});
