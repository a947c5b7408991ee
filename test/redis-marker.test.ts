import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createStack, json, type Stack, uniqueId, waitFor } from "./support/stack";

// The marker on the shared Redis, under a queue prefix of this test's own: several "processes"
// (stacks with their own connections, metrics and logs) on one queue. The loss is simulated by
// deleting this queue's keys, the marker among them, and cutting each process's connection, so
// the check runs on its reconnect as after a restart. test/faults/redis-data-lost.test.ts
// restarts a real AOF-off redis-server.

const lostLines = (s: Stack) => s.logs.lines.filter((l) => l.includes('"code":"REDIS_DATA_LOST"'));

async function lostCounter(s: Stack): Promise<number> {
  const key = await s.key("metrics");
  const text = await (
    await s.app.request("/metrics", { headers: { authorization: `Bearer ${key}` } })
  ).text();
  return Number(/^census_redis_data_lost_total (\d+)$/m.exec(text)?.[1]);
}

describe("the Redis marker", () => {
  it("a first start is not a loss; a Redis that comes back empty is, for every process, once", async () => {
    const env = { QUEUE_PREFIX: `m${randomBytes(5).toString("hex")}` };
    const stacks: Stack[] = [];
    const open = async () => {
      const s = await createStack({ worker: false, env });
      stacks.push(s);
      await s.deps.redisMarker.start();
      return s;
    };
    try {
      const a = await open();
      expect(a.logs.text()).toContain("first start on this Redis: marker written");
      const b = await open(); // a second process on the same queue: nothing lost
      const markerKey = a.deps.queue.toKey("census-marker");
      const { rows } = await a.deps.pool.query("SELECT token FROM redis_markers WHERE queue = $1", [
        markerKey,
      ]);
      expect(rows).toEqual([{ token: await a.deps.redis.get(markerKey) }]);
      // a reconnect to a Redis that kept its data is not a loss
      a.deps.redis.disconnect(true);
      await waitFor(async () => (await a.deps.redisMarker.check().catch(() => "down")) === "ok");
      for (const s of [a, b]) {
        expect(lostLines(s)).toEqual([]);
        expect(await lostCounter(s)).toBe(0);
        expect(await json(await s.app.request("/readyz"))).toEqual({
          status: "ok",
          checks: { postgres: true, redis: true },
        });
      }

      // jobs waiting, then Redis loses everything of this queue
      const ingest = await a.key("ingest");
      const prompts = Array.from({ length: 20 }, (_, i) => ({
        requestId: uniqueId("marker"),
        model: "openai/gpt-5",
        prompt: `Explain how a hash map works, question ${i}`,
      }));
      expect((await a.post({ prompts }, ingest)).status).toBe(202);
      expect(await a.deps.queue.count()).toBe(20);
      const keys = await a.deps.redis.keys(`${env.QUEUE_PREFIX}:*`);
      await a.deps.redis.del(...keys);

      // each process notices on its own reconnect: one ERROR line, the counter, /readyz. One
      // after the other: b reconnects after a wrote a new marker, and must not take it for its own.
      for (const s of [a, b]) {
        s.deps.redis.disconnect(true);
        await waitFor(async () => (await lostCounter(s)) === 1);
        await waitFor(() => lostLines(s).length === 1);
        const line = JSON.parse(lostLines(s)[0] as string);
        expect(line).toMatchObject({ level: 50, code: "REDIS_DATA_LOST", marker: markerKey });
        const ready = await s.app.request("/readyz");
        expect(ready.status).toBe(200); // still serving
        expect(await json(ready)).toMatchObject({
          status: "degraded",
          checks: { postgres: true, redis: true },
          redisDataLost: { count: 1, lastAt: expect.any(String) },
        });
      }
      // it still accepts prompts: the routers' posts since the loss are safe
      const after = [
        { requestId: uniqueId("after"), model: "m", prompt: "Explain recursion with an example" },
      ];
      expect((await b.post({ prompts: after }, ingest)).status).toBe(202);

      // the loss is counted once: later reconnects and checks find the new marker
      a.deps.redis.disconnect(true);
      await waitFor(async () => (await a.deps.redisMarker.check().catch(() => "down")) === "ok");
      expect(await lostCounter(a)).toBe(1);
      // a process started after the loss was handled has nothing to report
      const c = await open();
      expect(lostLines(c)).toEqual([]);
      expect(await lostCounter(c)).toBe(0);
    } finally {
      for (const s of stacks.reverse()) await s.close().catch(() => {});
    }
  });

  it("processes starting together on an empty Redis agree on one marker and report nothing", async () => {
    const { createRedisMarker } = await import("../src/platform/redis-marker");
    const { createMetrics } = await import("../src/platform/metrics");
    const own = await createStack({
      worker: false,
      env: { QUEUE_PREFIX: `m${randomBytes(5).toString("hex")}` },
    });
    const connections = Array.from({ length: 12 }, () => own.deps.redis.duplicate());
    try {
      await Promise.all(connections.map((c) => new Promise((ready) => c.once("ready", ready))));
      const key = own.deps.queue.toKey("census-marker");
      const markers = connections.map((redis) =>
        createRedisMarker({ redis, pool: own.deps.pool, key, log: own.deps.log, metrics: createMetrics() }),
      );
      const verdicts = await Promise.all(markers.map((m) => m.check()));
      expect(verdicts).not.toContain("lost");
      expect(lostLines(own)).toEqual([]);
      // they all hold the one token that won, and Postgres records it
      expect(new Set(await Promise.all(markers.map((m) => m.check())))).toEqual(new Set(["ok"]));
      const { rows } = await own.deps.pool.query("SELECT token FROM redis_markers WHERE queue = $1", [key]);
      expect(rows).toEqual([{ token: await own.deps.redis.get(key) }]);
    } finally {
      for (const c of connections) c.disconnect();
      await own.close();
    }
  });

  it("a Redis found empty at start, with a marker recorded in Postgres, is a loss", async () => {
    const env = { QUEUE_PREFIX: `m${randomBytes(5).toString("hex")}` };
    const first = await createStack({ worker: false, env });
    try {
      await first.deps.redisMarker.start();
    } finally {
      await first.close(); // deletes every key of the prefix, the marker too: a Redis that lost it
    }
    const second = await createStack({ worker: false, env });
    try {
      await second.deps.redisMarker.start();
      expect(lostLines(second)).toHaveLength(1);
      expect(await lostCounter(second)).toBe(1);
    } finally {
      await second.close();
    }
  });
});
