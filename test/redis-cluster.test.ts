import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGoogleRate } from "../src/classification/google-rate";
import { createLogger } from "../src/platform/logger";
import { createMetrics } from "../src/platform/metrics";
import { createProducerConnection } from "../src/platform/redis";
import { checkRedisDurability } from "../src/platform/redis-durability";
import { createRedisMarker } from "../src/platform/redis-marker";
import { CLASSIFY_JOB, createClassifyQueue, existingJobIds } from "../src/queue/jobs";
import { countRemoval, removalCounts } from "../src/queue/removals";
import { postAndDrain } from "./support/census-pair";
import { waitForProgress } from "./support/progress";
import { nodeServing, startRedisCluster, waitForClusterOk } from "./support/redis-servers";
import { TEST_DATABASE_URL } from "./support/urls";

// A Redis Cluster for real: three masters started here (AOF on), `census api` and `census worker`
// with REDIS_CLUSTER=1 and REDIS_URL naming one node. The master holding the queue (its hash tag's
// slot) is killed outright mid-drain and restarted from its AOF: every accepted prompt is stored.

const PROMPTS = 500;

describe("on a 3-master Redis Cluster", () => {
  it(`${PROMPTS} prompts in, ${PROMPTS} events out, through a master killed and restarted mid-drain`, async () => {
    const cluster = await startRedisCluster(3);
    try {
      // a prefix of this run's own: the data-loss marker's token is recorded in the shared database
      const prefix = `{c${randomBytes(4).toString("hex")}}`;
      // the queue's keys share its hash tag's slot, so one master holds all of them: that one goes.
      // REDIS_URL names another, so only a Cluster client (following MOVED) reaches the queue.
      const holder = await nodeServing(cluster.ports, prefix);
      const victim = cluster.nodes.find((n) => n.port === holder);
      const entry = cluster.ports.find((p) => p !== holder);
      if (!victim || !entry) throw new Error(`no started node on ${holder}`);
      let atKill = 0;
      const run = await postAndDrain({
        redisEnv: { REDIS_URL: `redis://127.0.0.1:${entry}`, REDIS_CLUSTER: "1", QUEUE_PREFIX: prefix },
        prompts: PROMPTS,
        async whileDraining(stored) {
          atKill = await waitForProgress(stored, (n) => n >= 50, { everyMs: 50, what: "the first events" });
          await victim.kill();
          await victim.restart();
          await waitForClusterOk(cluster.ports);
        },
      });
      expect(atKill).toBeLessThan(PROMPTS);
      // the marker survived with the AOF: no process took the restart for a data loss
      expect(run.output).not.toContain("REDIS_DATA_LOST");
    } finally {
      await Promise.all(cluster.nodes.map((n) => n.stop()));
    }
  });
});

describe("on a 3-master Redis Cluster, every command with several keys", () => {
  let cluster: Awaited<ReturnType<typeof startRedisCluster>>;
  let client: Redis;
  const log = createLogger("silent");
  beforeAll(async () => {
    cluster = await startRedisCluster(3);
    client = createProducerConnection(cluster.url, { cluster: true });
    await new Promise((resolve, reject) => {
      client.once("ready", resolve);
      client.once("error", reject);
    });
  });
  afterAll(async () => {
    client?.disconnect();
    await Promise.all((cluster?.nodes ?? []).map((n) => n.stop()));
  });

  it("works under a hash-tagged prefix: queue, Google limiter, job lookups, removals, marker", async () => {
    const queue = createClassifyQueue(client, "classify", `{k${randomBytes(4).toString("hex")}}`);
    const pool = new pg.Pool({ connectionString: TEST_DATABASE_URL, max: 1 });
    try {
      // BullMQ's scripts: add, count, look up, clean
      await queue.add(CLASSIFY_JOB, {} as never, { jobId: "job-a" });
      expect(await queue.getJobCounts("wait")).toEqual({ wait: 1 });
      expect(await existingJobIds(queue, client, ["job-a", "job-b"])).toEqual(new Set(["job-a"]));
      // the limiter's window (one key) and its hold (two keys in one script)
      const rate = createGoogleRate(queue, 600);
      expect(await rate.tryAcquire()).toBe(0);
      expect(await rate.hold(5000)).toBeGreaterThanOrEqual(5000);
      expect(await rate.tryAcquire()).toBeGreaterThan(0);
      // the removal counters and the data-loss marker
      await countRemoval(queue, client, "purged", 2);
      expect(await removalCounts(queue, client)).toEqual({ purged: 2, dropped: 0 });
      const marker = createRedisMarker({
        redis: client,
        pool,
        key: queue.toKey("census-marker"),
        log,
        metrics: createMetrics(),
      });
      expect(await marker.check()).toBe("first");
      expect(await marker.check()).toBe("ok");
    } finally {
      await queue.obliterate({ force: true }).catch(() => {});
      await queue.close();
      await pool.end();
    }
  });

  it("needs the hash tag: without one the limiter's hold spans slots, which a Cluster refuses", async () => {
    const queue = createClassifyQueue(client, "classify", `k${randomBytes(4).toString("hex")}`);
    try {
      await expect(createGoogleRate(queue, 600).hold(1000)).rejects.toThrow(/CROSSSLOT/);
    } finally {
      await queue.close();
    }
  });

  it("the persistence check asks every node, and names the one that can lose prompts", async () => {
    expect(await checkRedisDurability(client, log, { refuse: true })).toEqual([]);
    const third = cluster.ports[2] ?? 0;
    const node = new Redis(third, "127.0.0.1");
    try {
      await node.config("SET", "maxmemory-policy", "allkeys-lru");
      const warnings = await checkRedisDurability(client, log);
      expect(warnings).toEqual([
        expect.stringMatching(new RegExp(`^127\\.0\\.0\\.1:${third}: maxmemory-policy is allkeys-lru`)),
      ]);
      await expect(checkRedisDurability(client, log, { refuse: true })).rejects.toMatchObject({
        code: "REDIS_VOLATILE",
      });
      await expect(checkRedisDurability(client, log, { refuse: true })).rejects.toThrow(
        `node 127.0.0.1:${third}`,
      );
    } finally {
      await node.config("SET", "maxmemory-policy", "noeviction");
      node.disconnect();
    }
  });
});
