import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { createLogger } from "../src/platform/logger";
import { createProducerConnection } from "../src/platform/redis";
import { checkRedisDurability, VolatileRedis } from "../src/platform/redis-durability";
import { postAndDrain } from "./support/census-pair";
import { waitForProgress } from "./support/progress";
import { nodeServing, startRedisCluster, waitForClusterOk } from "./support/redis-servers";

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
