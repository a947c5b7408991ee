import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { createApiKey } from "../src/auth/keys";
import { createDb } from "../src/db/client";
import { startEmulator } from "../src/emulator/server";
import { eventIdFor } from "../src/ingest/sampling";
import { createLogger } from "../src/platform/logger";
import { createProducerConnection } from "../src/platform/redis";
import { checkRedisDurability, VolatileRedis } from "../src/platform/redis-durability";
import { spawnCensus } from "./support/processes";
import { waitForCount, waitForProgress } from "./support/progress";
import { nodeServing, startRedisCluster, waitForClusterOk } from "./support/redis-servers";
import { TEST_SECRET, uniqueId } from "./support/stack";
import { TEST_DATABASE_URL } from "./support/urls";

// A Redis Cluster for real: three masters started here (AOF on), `census api` and `census worker`
// with REDIS_CLUSTER=1 and REDIS_URL naming one node. The master holding the queue (its hash tag's
// slot) is killed outright mid-drain and restarted from its AOF: every accepted prompt is stored.

const PROMPTS = 500;

describe("on a 3-master Redis Cluster", () => {
  it(`${PROMPTS} prompts in, ${PROMPTS} events out, through a master killed and restarted mid-drain`, async () => {
    const cluster = await startRedisCluster(3);
    // Google at 100 ms a call, 4 at a time: the drain takes seconds, so the kill lands inside it
    const emulator = await startEmulator(0, { latencyMs: 100 });
    // a prefix of this run's own: the data-loss marker's token is recorded in the shared database
    const prefix = `{c${randomBytes(4).toString("hex")}}`;
    // the queue's keys share its hash tag's slot, so one master holds all of them: that one goes.
    // REDIS_URL names another, so only a Cluster client (following MOVED) reaches the queue.
    const holder = await nodeServing(cluster.ports, prefix);
    const victim = cluster.nodes.find((n) => n.port === holder);
    const entry = cluster.ports.find((p) => p !== holder);
    if (!victim || !entry) throw new Error(`no started node on ${holder}`);
    const env = {
      ...process.env,
      DATABASE_URL: TEST_DATABASE_URL,
      REDIS_URL: `redis://127.0.0.1:${entry}`,
      REDIS_CLUSTER: "1",
      QUEUE_PREFIX: prefix,
      HMAC_SECRET: TEST_SECRET,
      LANGUAGE_EMULATOR_HOST: emulator.host,
      GOOGLE_QPM: "60000",
      WORKER_CONCURRENCY: "4",
      // a job whose completion the kill cut off comes back within seconds
      WORKER_LOCK_MS: "2000",
      STALLED_INTERVAL_MS: "1000",
      CLASSIFY_CACHE_TTL: "0",
      PORT: "0",
      LOG_LEVEL: "info",
    };
    const api = spawnCensus(["api"], { env });
    const pool = new pg.Pool({ connectionString: TEST_DATABASE_URL, max: 2 });
    let worker: ReturnType<typeof spawnCensus> | undefined;
    try {
      const port = await api.listening();
      const { key } = await createApiKey(createDb(pool), ["ingest"]);
      const ids: string[] = [];
      for (let i = 0; i < PROMPTS / 100; i++) {
        const prompts = Array.from({ length: 100 }, (_, j) => {
          const requestId = uniqueId(`cluster${i}-${j}`);
          ids.push(requestId);
          return {
            requestId,
            model: "openai/gpt-5",
            sampleRate: 1,
            prompt: `Fix my SQL query, case ${i}-${j}`,
          };
        });
        const res = await fetch(`http://127.0.0.1:${port}/v1/prompts`, {
          method: "POST",
          headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
          body: JSON.stringify({ prompts }),
        });
        expect(res.status, await res.clone().text()).toBe(202);
        expect(await res.json()).toMatchObject({ sampled: 100 });
      }
      const eventIds = ids.map((id) => eventIdFor(TEST_SECRET, id));
      const stored = async () =>
        (await pool.query("SELECT count(*)::int AS n FROM prompt_events WHERE id = ANY($1)", [eventIds]))
          .rows[0].n as number;

      worker = spawnCensus(["worker"], { env });
      await worker.waitForOutput('"msg":"worker started"');
      const atKill = await waitForProgress(stored, (n) => n >= 50, { everyMs: 50, what: "the first events" });
      await victim.kill();
      expect(atKill).toBeLessThan(PROMPTS);
      await victim.restart();
      await waitForClusterOk(cluster.ports);

      await waitForCount(stored, PROMPTS, { everyMs: 250, stallMs: 60_000 });
      // the marker survived with the AOF: no process took the restart for a data loss
      expect(worker.output() + api.output()).not.toContain("REDIS_DATA_LOST");
      const left = await pool.query(
        "SELECT count(DISTINCT id)::int AS n FROM prompt_events WHERE id = ANY($1)",
        [eventIds],
      );
      expect(left.rows[0].n).toBe(PROMPTS);
    } finally {
      await worker?.stop();
      await api.stop();
      await pool.end();
      await emulator.close();
      await Promise.all(cluster.nodes.map((n) => n.stop()));
    }
  });

  it("the persistence check asks every node, and names the one that can lose prompts", async () => {
    const cluster = await startRedisCluster(3);
    const client = createProducerConnection(cluster.url, { cluster: true });
    const log = createLogger("silent");
    try {
      await new Promise((resolve, reject) => {
        client.once("ready", resolve);
        client.once("error", reject);
      });
      expect(await checkRedisDurability(client, log, { refuse: true })).toEqual([]);
      const third = cluster.ports[2] ?? 0;
      const node = new Redis(third, "127.0.0.1");
      await node.config("SET", "appendonly", "no");
      node.disconnect();
      const warnings = await checkRedisDurability(client, log);
      expect(warnings).toEqual([
        expect.stringMatching(new RegExp(`^127\\.0\\.0\\.1:${third}: appendonly is off`)),
      ]);
      await expect(checkRedisDurability(client, log, { refuse: true })).rejects.toThrow(VolatileRedis);
      await expect(checkRedisDurability(client, log, { refuse: true })).rejects.toThrow(
        `node 127.0.0.1:${third}`,
      );
    } finally {
      client.disconnect();
      await Promise.all(cluster.nodes.map((n) => n.stop()));
    }
  });
});
