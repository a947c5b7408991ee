import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { createApiKey } from "../src/auth/keys";
import { limiterFor } from "../src/classification/google-rate";
import { createDb } from "../src/db/client";
import { startEmulator } from "../src/emulator/server";
import { eventIdFor } from "../src/ingest/sampling";
import { spawnCensus } from "./support/processes";
import { BACKSTOP_MS, waitForCount } from "./support/progress";
import { TEST_SECRET, uniqueId } from "./support/stack";
import { TEST_DATABASE_URL, TEST_REDIS_URL } from "./support/urls";

// Scale-out, proven: two `census api` and three `census worker` processes on one Redis and one
// Postgres share one queue and one Google quota.

const QPM = 1200; // 20 calls a second across every worker
const PROMPTS = 3000;

describe("two APIs and three workers on one queue", () => {
  it(
    `store ${PROMPTS} prompts once each, near the quota and never over it, with no worker idle`,
    async () => {
      const calls: number[] = [];
      const emulator = await startEmulator(0, { latencyMs: 100, onRequest: () => calls.push(Date.now()) });
      const env = {
        ...process.env,
        DATABASE_URL: TEST_DATABASE_URL,
        REDIS_URL: TEST_REDIS_URL,
        HMAC_SECRET: TEST_SECRET,
        QUEUE_PREFIX: `scale${randomBytes(4).toString("hex")}`,
        LANGUAGE_EMULATOR_HOST: emulator.host,
        GOOGLE_QPM: String(QPM),
        WORKER_CONCURRENCY: "16",
        PORT: "0",
        LOG_LEVEL: "info",
      };
      const apis = [spawnCensus(["api"], { env }), spawnCensus(["api"], { env })];
      const workers = [0, 1, 2].map(() => spawnCensus(["worker"], { env }));
      const pool = new pg.Pool({ connectionString: TEST_DATABASE_URL, max: 2 });
      try {
        const ports = await Promise.all(apis.map((a) => a.listening()));
        await Promise.all(workers.map((w) => w.waitForOutput('"msg":"worker started"')));
        const { key } = await createApiKey(createDb(pool), ["ingest"]);

        // 30 posts of 100, alternating between the two APIs
        const ids: string[] = [];
        for (let i = 0; i < PROMPTS / 100; i++) {
          const prompts = Array.from({ length: 100 }, (_, j) => {
            const requestId = uniqueId(`scale${i}-${j}`);
            ids.push(requestId);
            return {
              requestId,
              model: "openai/gpt-5",
              sampleRate: 1,
              prompt: `Debug my python code, case ${i}-${j}`,
            };
          });
          const res = await fetch(`http://127.0.0.1:${ports[i % 2]}/v1/prompts`, {
            method: "POST",
            headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
            body: JSON.stringify({ prompts }),
          });
          expect(res.status).toBe(202);
          expect(await res.json()).toMatchObject({ sampled: 100 });
        }

        const eventIds = ids.map((id) => eventIdFor(TEST_SECRET, id));
        const stored = async () =>
          (await pool.query("SELECT count(*)::int AS n FROM prompt_events WHERE id = ANY($1)", [eventIds]))
            .rows[0].n as number;
        await waitForCount(stored, PROMPTS, { everyMs: 500 });

        // once each: one Google call per prompt, none stored twice (the key is the event id)
        expect(calls).toHaveLength(PROMPTS);
        // When each call went out, from every worker's log: the moment it took its call slot.
        // (Arrival times at the emulator add this loaded machine's scheduling jitter.)
        const done = workers.map((w) =>
          [...w.output().matchAll(/"calledAt":(\d+),.*"msg":"job done"/g)].map((m) => Number(m[1])),
        );
        const sent = done.flat().sort((a, b) => a - b);
        const perWorker = done.map((d) => d.length);
        const rate = (n: number[]) => (n.length - 1) / (((n.at(-1) ?? 0) - (n[0] ?? 0)) / 1000) / (QPM / 60);
        const busiest = sentBusiest(sent);
        const figures = {
          seconds: ((sent.at(-1) ?? 0) - (sent[0] ?? 0)) / 1000,
          callRateOverQuota: rate(sent),
          busiest10s: busiest,
          busiest60s: sentBusiest(sent, 60_000),
          arrivalRateOverQuota: rate(calls),
          busiest10sOnArrival: sentBusiest(calls),
          perWorker,
        };
        mkdirSync("test-artifacts", { recursive: true });
        writeFileSync("test-artifacts/scale-out.json", `${JSON.stringify(figures)}\n`);
        console.log(`[scale-out] ${JSON.stringify(figures)}`);

        // Never over GOOGLE_QPM (the quota is a hard limit), and near it: how near is a throughput
        // figure this loaded machine bends (0.89-0.95 seen beside CPU-bound processes, ~0.98 idle),
        // so the exact rate is `npm run bench -- --only quota`'s; here a limiter that wastes a
        // quarter of the quota (windows too long, slots not shared) still fails.
        for (const r of [rate(sent), rate(calls)]) {
          expect(r).toBeLessThanOrEqual(1.05);
          expect(r).toBeGreaterThanOrEqual(0.75);
        }
        // ...and never over it in any minute, the quota's own unit. The limiter's windows are ~1 s
        // and fixed, so 10 seconds may hold one window more than their share (two meeting at an edge).
        expect(figures.busiest60s).toBeLessThanOrEqual(QPM);
        expect(busiest).toBeLessThanOrEqual((QPM / 60) * 10 + limiterFor(QPM).max);
        expect(perWorker.reduce((a, b) => a + b, 0)).toBe(PROMPTS);
        // no worker idle while work waited: each took a fair share of the queue
        for (const n of perWorker) expect(n).toBeGreaterThan(PROMPTS * 0.2);
      } finally {
        await Promise.all([...apis, ...workers].map((p) => p.stop()));
        await pool.end();
        await emulator.close();
      }
    },
    BACKSTOP_MS,
  );
});

/** The most calls in any window of `ms` (10 s by default). */
function sentBusiest(times: readonly number[], ms = 10_000): number {
  let busiest = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while ((times[j] ?? Number.POSITIVE_INFINITY) < (times[i] ?? 0) + ms) j++;
    busiest = Math.max(busiest, j - i);
  }
  return busiest;
}
