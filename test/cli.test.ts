import { type ChildProcess, execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { promisify } from "node:util";
import { Queue } from "bullmq";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { waitFor } from "./support/stack";
import { TEST_DATABASE_URL, TEST_REDIS_URL } from "./support/urls";

// The command line as an operator uses it: `census <command>` through bin/census.js.

const run = promisify(execFile);
const BIN = "bin/census.js";

// A database that does not exist yet: `census start` must create and migrate it.
const fresh = new URL(TEST_DATABASE_URL);
fresh.pathname = `/census_smoke_${randomBytes(4).toString("hex")}`;
const env = {
  ...process.env,
  DATABASE_URL: fresh.toString(),
  REDIS_URL: TEST_REDIS_URL,
  QUEUE_PREFIX: `smoke${randomBytes(4).toString("hex")}`,
  PORT: "0",
  CLASSIFIER: "auto",
  GOOGLE_API_KEY: "",
  LANGUAGE_EMULATOR_HOST: "",
  HMAC_SECRET: "",
};

const children: ChildProcess[] = [];
afterAll(async () => {
  for (const c of children) c.kill("SIGKILL");
  // the service's queue keys under this run's prefix
  const queue = new Queue("classify", { prefix: env.QUEUE_PREFIX, connection: { url: TEST_REDIS_URL } });
  await queue.obliterate({ force: true });
  await queue.close();
  const admin = new URL(TEST_DATABASE_URL);
  admin.pathname = "/postgres";
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(fresh.pathname.slice(1))} WITH (FORCE)`);
  await client.end();
});

describe("census --help", () => {
  it.each([
    [[]],
    [["start"]],
    [["api"]],
    [["worker"]],
    [["migrate"]],
    [["emulator"]],
    [["keys"]],
    [["keys", "create"]],
  ])("census %j --help", async (args) => {
    const { stdout } = await run("node", [BIN, ...args, "--help"], { env });
    expect(stdout).toMatch(/Usage: census/);
  });
});

describe("fresh machine: npm start, the README's example, a tagged event", () => {
  it("starts API + worker with the built-in emulator, takes a post and stores tags", async () => {
    const child = spawn("node", [BIN, "start"], { env, stdio: ["ignore", "pipe", "pipe"] });
    children.push(child);
    let out = "";
    child.stdout?.on("data", (d) => {
      out += d;
    });
    child.stderr?.on("data", (d) => {
      out += d;
    });
    await waitFor(() => /"msg":"worker started"/.test(out), 30_000);
    const port = Number(/"port":(\d+),"docs"/.exec(out)?.[1]);
    expect(out).toContain("created database");
    expect(out).toMatch(/NO GOOGLE CREDENTIALS/);

    const { stdout: key } = await run("node", [BIN, "keys", "create", "--scope", "ingest", "--quiet"], {
      env,
    });
    const res = await fetch(`http://127.0.0.1:${port}/v1/prompts`, {
      method: "POST",
      headers: { authorization: `Bearer ${key.trim()}`, "content-type": "application/json" },
      body: JSON.stringify({
        requestId: "req-0001",
        model: "anthropic/claude-sonnet-4.5",
        sampleRate: 1,
        prompt: "Write a Python function that merges two sorted lists and explain its complexity",
        promptTokens: 18,
        completionTokens: 240,
        costUsd: 0.0041,
      }),
    });
    expect(res.status).toBe(202);

    const client = new pg.Client({ connectionString: fresh.toString() });
    await client.connect();
    let rows: Record<string, unknown>[] = [];
    await waitFor(async () => {
      ({ rows } = await client.query(
        "SELECT e.category, e.engine, l.tag FROM prompt_events e JOIN prompt_labels l ON l.event_id = e.id",
      ));
      return rows.length > 0;
    }, 20_000);
    await client.end();
    expect(rows[0]).toEqual({ category: "programming", engine: "emulator", tag: "programming-other" });

    child.kill("SIGTERM");
    const code = await new Promise((r) => child.once("exit", r));
    expect(code).toBe(0);
    expect(out).toContain('"step":"worker","msg":"closed"');
  }, 60_000);
});
