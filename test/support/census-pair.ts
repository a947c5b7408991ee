import pg from "pg";
import { expect } from "vitest";
import { createApiKey } from "../../src/auth/keys";
import { createDb } from "../../src/db/client";
import { startEmulator } from "../../src/emulator/server";
import { eventIdFor } from "../../src/ingest/sampling";
import { spawnCensus } from "./processes";
import { waitForCount } from "./progress";
import { TEST_SECRET, uniqueId } from "./stack";
import { TEST_DATABASE_URL } from "./urls";

// One `census api` and one `census worker` on a Redis a test set up (REDIS_* in `redisEnv`): posts
// `prompts` prompts, 100 a request, and waits for as many events. `whileDraining` runs once the
// worker has started, with the count of stored events (a test kills a Redis there).

export interface PairRun {
  /** Both processes' output, for what must (not) have been logged. */
  output: string;
}

export async function postAndDrain(o: {
  redisEnv: Record<string, string>;
  prompts: number;
  whileDraining?: (stored: () => Promise<number>) => Promise<void>;
}): Promise<PairRun> {
  // Google at 100 ms a call, 4 at a time: a drain of hundreds takes seconds
  const emulator = await startEmulator(0, { latencyMs: 100 });
  const env = {
    ...process.env,
    DATABASE_URL: TEST_DATABASE_URL,
    HMAC_SECRET: TEST_SECRET,
    LANGUAGE_EMULATOR_HOST: emulator.host,
    GOOGLE_QPM: "60000",
    WORKER_CONCURRENCY: "4",
    // a job whose completion a Redis outage cut off comes back within seconds
    WORKER_LOCK_MS: "2000",
    STALLED_INTERVAL_MS: "1000",
    CLASSIFY_CACHE_TTL: "0",
    PORT: "0",
    LOG_LEVEL: "info",
    ...o.redisEnv,
  };
  const api = spawnCensus(["api"], { env });
  const pool = new pg.Pool({ connectionString: TEST_DATABASE_URL, max: 2 });
  let worker: ReturnType<typeof spawnCensus> | undefined;
  try {
    const port = await api.listening();
    const { key } = await createApiKey(createDb(pool), ["ingest"]);
    const ids: string[] = [];
    for (let i = 0; i < o.prompts / 100; i++) {
      const prompts = Array.from({ length: Math.min(100, o.prompts - i * 100) }, (_, j) => {
        const requestId = uniqueId(`redis${i}-${j}`);
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
      expect(await res.json()).toMatchObject({ sampled: prompts.length });
    }
    const eventIds = ids.map((id) => eventIdFor(TEST_SECRET, id));
    const stored = async () =>
      (await pool.query("SELECT count(*)::int AS n FROM prompt_events WHERE id = ANY($1)", [eventIds]))
        .rows[0].n as number;

    worker = spawnCensus(["worker"], { env });
    await worker.waitForOutput('"msg":"worker started"');
    await o.whileDraining?.(stored);
    await waitForCount(stored, o.prompts, { everyMs: 250, stallMs: 60_000 });
    return { output: api.output() + worker.output() };
  } finally {
    await worker?.stop();
    await api.stop();
    await pool.end();
    await emulator.close();
  }
}
