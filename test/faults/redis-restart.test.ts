import { describe, expect, it } from "vitest";
import { eventIdFor } from "../../src/ingest/sampling";
import { BACKSTOP_MS, waitForCount } from "../support/progress";
import { TEST_SECRET, uniqueId, waitFor } from "../support/stack";
import { startFaultStack } from "./support/fault-stack";

// Redis is where accepted prompts wait. With AOF (appendfsync everysec) Redis writes each
// command to the file before it answers, so a Redis that dies (kill -9) loses nothing it
// acknowledged; while it is down, POST answers 503 and the router resends.

describe("Redis killed and restarted", () => {
  it(
    "during posts and draining: every 202-acknowledged prompt is stored, posts in the outage get 503",
    async () => {
      const s = await startFaultStack({ latencyMs: 50 });
      try {
        const worker = s.worker();
        await worker.started;
        const acknowledged: string[] = [];
        let refused = 0;
        let otherStatus = 0;
        const started = Date.now();
        for (let round = 0; round < 40; round++) {
          if (round === 15) await s.redis.kill();
          if (round === 22) {
            await s.redis.start();
            // the API's connection comes back by itself
            await waitFor(async () => (await s.app.request("/readyz")).status === 200);
          }
          const items = Array.from({ length: 50 }, (_, i) => ({
            requestId: uniqueId(`redis${round}-${i}`),
            model: "openai/gpt-5",
            sampleRate: 1,
            prompt: `Explain recursion to a new programmer, example ${round}-${i}, with Python code`,
          }));
          const res = await s.postItems(items);
          if (res.status === 202) acknowledged.push(...items.map((x) => x.requestId));
          else if (res.status === 503) refused += 1;
          else otherStatus += 1;
        }
        expect(refused).toBe(7); // rounds 15-21, while Redis was down
        expect(otherStatus).toBe(0);
        const ids = acknowledged.map((id) => eventIdFor(TEST_SECRET, id));
        const storedOf = async () =>
          (await s.deps.pool.query("SELECT count(*)::int AS n FROM prompt_events WHERE id = ANY($1)", [ids]))
            .rows[0].n as number;
        await waitForCount(storedOf, ids.length);
        const stored = await storedOf();
        await s.report(
          "redis-kill-9-restart-aof",
          { posted: acknowledged.length, stored, drainSeconds: (Date.now() - started) / 1000 },
          {
            postsRefusedWith503: refused,
          },
        );
        expect(stored).toBe(acknowledged.length);
        expect(await s.duplicated()).toBe(0);
        expect(worker.output()).not.toContain('"msg":"job failed for good');
        // Redis kept its data: its marker came back with it, so no process reports a loss
        expect(s.logs.text()).not.toContain("REDIS_DATA_LOST");
        expect(worker.output()).not.toContain("REDIS_DATA_LOST");
        expect(worker.output()).not.toContain("postgres unavailable");
        await worker.kill("SIGTERM");
      } finally {
        await s.close();
      }
    },
    BACKSTOP_MS,
  );
});
