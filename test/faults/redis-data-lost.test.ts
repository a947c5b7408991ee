import { describe, expect, it } from "vitest";
import { createApiKey } from "../../src/auth/keys";
import { eventIdFor } from "../../src/ingest/sampling";
import { BACKSTOP_MS, waitForProgress } from "../support/progress";
import { json, TEST_SECRET, uniqueId, waitFor } from "../support/stack";
import { startFaultStack } from "./support/fault-stack";

// A private redis-server with AOF off (Redis's default) is killed and restarted: it comes back
// empty, and the jobs it held are gone. Every process must say so: the API here and a `census
// worker` process, each on its own reconnect. The outage itself is logged as Redis's, and uses
// no job attempt.

const METRICS_TOKEN = "fault-metrics-token-0123456789";
const lostTotal = (metrics: string) => Number(/^census_redis_data_lost_total (\d+)$/m.exec(metrics)?.[1]);

describe("Redis restarted without AOF", () => {
  it(
    "loses its jobs, and the API and the worker both say REDIS_DATA_LOST, count it and show it on /readyz",
    async () => {
      const s = await startFaultStack({ latencyMs: 20 }, { redisArgs: ["--appendonly", "no"] });
      try {
        // a low quota keeps jobs waiting for Google call slots in Redis: the outage meets them there
        const worker = s.worker({ GOOGLE_QPM: "600", METRICS_TOKEN });
        await worker.started;
        const workerPort = Number(/"port":(\d+),"docs"/.exec(worker.output())?.[1]);
        const posted = await s.post(300);
        expect(posted).toHaveLength(300);
        await waitForProgress(s.events, (n) => n >= 30, { what: "events" });

        await s.redis.kill();
        // jobs waiting for a call slot meet the outage: handed back, no attempt used, logged as Redis
        await waitFor(() => worker.output().includes("redis unavailable: jobs go back to the queue"));
        await s.redis.start(); // empty: nothing was written to disk

        // the API in this process
        await waitFor(() => s.logs.text().includes('"code":"REDIS_DATA_LOST"'));
        const { key } = await createApiKey(s.deps.db, ["metrics"]);
        const apiMetrics = await (
          await s.app.request("/metrics", { headers: { authorization: `Bearer ${key}` } })
        ).text();
        expect(lostTotal(apiMetrics)).toBe(1);
        const ready = await s.app.request("/readyz");
        expect(ready.status).toBe(200);
        expect(await json(ready)).toMatchObject({
          status: "degraded",
          checks: { postgres: true, redis: true },
          redisDataLost: { count: 1 },
        });

        // the worker process, on its own reconnect
        await waitFor(() => worker.output().includes('"code":"REDIS_DATA_LOST"'));
        const workerMetrics = await (
          await fetch(`http://127.0.0.1:${workerPort}/metrics`, {
            headers: { authorization: `Bearer ${METRICS_TOKEN}` },
          })
        ).text();
        expect(lostTotal(workerMetrics)).toBe(1);
        const workerReady = await fetch(`http://127.0.0.1:${workerPort}/readyz`);
        expect(workerReady.status).toBe(200);
        expect(await json(workerReady)).toMatchObject({ status: "degraded", redisDataLost: { count: 1 } });

        // still serving: a prompt posted now is stored
        const after = uniqueId("after-loss");
        const res = await s.postItems([
          {
            requestId: after,
            model: "openai/gpt-5",
            sampleRate: 1,
            prompt: "Explain recursion with an example",
          },
        ]);
        expect(res.status).toBe(202);
        const afterId = eventIdFor(TEST_SECRET, after);
        await waitFor(
          async () =>
            (await s.deps.pool.query("SELECT 1 FROM prompt_events WHERE id = $1", [afterId])).rowCount === 1,
          60_000,
        );

        const ids = posted.map((id) => eventIdFor(TEST_SECRET, id));
        const { rows } = await s.deps.pool.query(
          "SELECT count(*)::int AS n FROM prompt_events WHERE id = ANY($1)",
          [ids],
        );
        const stored = rows[0].n as number;
        await s.report(
          "redis-restart-aof-off",
          { posted: posted.length, stored, drainSeconds: 0 },
          {
            redisDataLostApi: lostTotal(apiMetrics),
            redisDataLostWorker: lostTotal(workerMetrics),
          },
        );
        expect(stored).toBeLessThan(posted.length); // the loss the marker reports is real

        // the outage was Redis's, and cost no job an attempt
        const out = worker.output();
        expect(out).not.toContain("postgres unavailable");
        expect(out).not.toContain('"msg":"job failed; will retry"');
        expect(out).not.toContain("Stream isn't writeable");
        await worker.kill("SIGTERM");
      } finally {
        await s.close();
      }
    },
    BACKSTOP_MS,
  );
});
