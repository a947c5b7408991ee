import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { backfill } from "../src/backfill/run";
import { eventIdFor } from "../src/ingest/sampling";
import { useStackWithGoogle } from "./support/harness";
import { TEST_SECRET, waitFor } from "./support/stack";

/**
 * Every row of every table, as text: what `pg_dump --data-only` would hold, read over SQL so the
 * test needs no pg_dump of the server's version (an embedded Postgres 18 refuses pg_dump 15).
 */
async function dumpData(pool: import("pg").Pool): Promise<string> {
  const { rows: tables } = await pool.query<{ name: string }>(
    `SELECT format('%I.%I', table_schema, table_name) AS name FROM information_schema.tables
     WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')`,
  );
  const parts: string[] = [];
  for (const { name } of tables) {
    const { rows } = await pool.query<{ row: string }>(`SELECT t::text AS row FROM ${name} t`);
    const table = name.replace(/^public\./, "");
    parts.push(...rows.map((r) => `${table}: ${r.row}`));
  }
  return parts.join("\n");
}

// The promise at the heart of the service: what people wrote, and who they were, is kept nowhere.
// Prompts and request ids carry unique canaries; after the jobs finish we look for them everywhere.

// the cache on: it must hold no text either
const ctx = useStackWithGoogle({ env: { CLASSIFY_CACHE_TTL: "7d" } });
const CANARY = `canary${randomBytes(8).toString("hex")}`;
const ID_CANARY = `idcanary${randomBytes(8).toString("hex")}`;

async function redisDump(): Promise<string> {
  const { redis } = ctx.stack.deps;
  const out: string[] = [];
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "COUNT", 1000);
    cursor = next;
    for (const key of keys) {
      out.push(key);
      const type = await redis.type(key);
      if (type === "string") out.push(String(await redis.get(key)));
      else if (type === "hash") out.push(JSON.stringify(await redis.hgetall(key)));
      else if (type === "list") out.push(JSON.stringify(await redis.lrange(key, 0, -1)));
      else if (type === "set") out.push(JSON.stringify(await redis.smembers(key)));
      else if (type === "zset") out.push(JSON.stringify(await redis.zrange(key, 0, -1)));
      else if (type === "stream") out.push(JSON.stringify(await redis.xrange(key, "-", "+")));
    }
  } while (cursor !== "0");
  return out.join("\n");
}

describe("privacy canary", () => {
  it("appears in no table, no log line, no metric and nowhere in Redis once jobs are done", async () => {
    const { stack, key, google } = ctx;
    const items = [
      // classified
      {
        requestId: `${ID_CANARY}-1`,
        model: "m/a",
        prompt: `Write a python function named ${CANARY} that sorts a list of numbers`,
      },
      // chat form
      {
        requestId: `${ID_CANARY}-2`,
        model: "m/b",
        messages: [
          {
            role: "user",
            content: [{ type: "text", text: `roleplay as ${CANARY} the dungeon master tonight` }],
          },
        ],
      },
      // final outcome paths
      { requestId: `${ID_CANARY}-3`, model: "m/c", prompt: `${CANARY} [[emulate:too-short]]` },
      { requestId: `${ID_CANARY}-4`, model: "m/d", prompt: `${CANARY} some text [[emulate:lang=ar]] here` },
    ];
    const res = await stack.post({ prompts: items }, key);
    expect(res.status).toBe(202);
    // and through a backfill, bad lines included (their content must not be kept either)
    const file = join(mkdtempSync(join(tmpdir(), "census-privacy-")), "logs.ndjson");
    writeFileSync(
      file,
      [
        JSON.stringify({
          requestId: `${ID_CANARY}-7`,
          prompt: `translate ${CANARY} into french please`,
          model: "m/e",
        }),
        `{"requestId": "${ID_CANARY}-8", "prompt": "${CANARY} broken json`,
        JSON.stringify({ requestId: `${ID_CANARY}-9`, model: "m/f" }),
      ].join("\n"),
    );
    const backfilled = await backfill(stack.deps, {
      input: file,
      format: "auto",
      fields: {},
      sampleRate: 1,
      dryRun: false,
      chunkSize: 10,
      maxWaiting: 1000,
      maxRecordBytes: 65536,
      checkpointEvery: 1000,
      progress: { update() {}, stop() {} },
    });
    expect(backfilled.counters).toMatchObject({ enqueued: 1, bad: 2 });
    // bad input that echoes the canary must not reach the logs either
    await stack.post(`{"requestId":"${ID_CANARY}-5","prompt":"${CANARY}" broken`, key);
    await stack.post({ requestId: `${ID_CANARY}-6`, prompt: CANARY, model: 42 }, key);
    await stack.drained();
    // a completed job's hash goes with removeOnComplete, in the same script that completes it
    const jobIds = [1, 2, 3, 4, 7].map((n) => eventIdFor(TEST_SECRET, `${ID_CANARY}-${n}`));
    await waitFor(
      async () => (await stack.deps.redis.exists(...jobIds.map((id) => stack.deps.queue.toKey(id)))) === 0,
    );

    const { rows } = await stack.deps.pool.query(
      "SELECT count(*)::int AS n FROM prompt_events WHERE model LIKE 'm/%'",
    );
    expect(rows[0].n).toBeGreaterThanOrEqual(5); // the jobs really ran
    const cached = await stack.deps.pool.query(
      "SELECT count(*)::int AS n FROM classify_cache WHERE answer IS NOT NULL",
    );
    expect(cached.rows[0].n).toBeGreaterThanOrEqual(4); // and the cache holds their answers

    const dump = await dumpData(stack.deps.pool);
    expect(dump).toContain("prompt_events"); // the dump is real
    expect(dump).toMatch(/^prompt_events: .*m\/[a-f]/m);
    const redis = await redisDump();
    const logs = stack.logs.text();
    const metrics = await stack.deps.metrics.registry.metrics();
    expect(logs.length).toBeGreaterThan(0);

    for (const [where, text] of Object.entries({ postgres: dump, redis, logs, metrics })) {
      expect(text.includes(CANARY), `prompt canary found in ${where}`).toBe(false);
      expect(text.includes(ID_CANARY), `request-id canary found in ${where}`).toBe(false);
    }
    // and Google did see the text: the canary was really in flight
    expect(google.received.some((t) => t.includes(CANARY))).toBe(true);
  });
});
