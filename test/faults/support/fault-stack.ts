import { mkdirSync, writeFileSync } from "node:fs";
import { createApp } from "../../../src/app";
import { createApiKey } from "../../../src/auth/keys";
import { bootstrapDatabase } from "../../../src/db/bootstrap";
import { runMigrations } from "../../../src/db/migrate";
import { createDeps, type Deps } from "../../../src/deps";
import { type EmulatorOptions, type RunningEmulator, startEmulator } from "../../../src/emulator/server";
import { parseEnv } from "../../../src/env";
import { createLogger } from "../../../src/platform/logger";
import { type ProgressOptions, waitForCount } from "../../support/progress";
import { LogSink, TEST_SECRET, uniqueId } from "../../support/stack";
import {
  freePort,
  type PostgresProcess,
  type RedisProcess,
  spawnWorker,
  startPostgres,
  startRedis,
} from "./processes";

/**
 * Everything a fault test needs, private to it: a Postgres cluster and an AOF Redis it can
 * kill, the classifyText emulator in this process (counting calls, with latency and error
 * rates it can change mid-test, or stopped and restarted on its port), the API in this
 * process, and `census worker` processes to crash.
 */
export async function startFaultStack(
  emulatorOptions: EmulatorOptions = {},
  o: { redisArgs?: string[] } = {},
) {
  const [postgres, redis] = await Promise.all([startPostgres(), startRedis(o.redisArgs)]);
  const calls = { requests: 0, answered: new Map<number, number>() };
  const options: EmulatorOptions = {
    latencyMs: 20,
    ...emulatorOptions,
    onRequest: () => {
      calls.requests += 1;
    },
    onResponse: (status) => calls.answered.set(status, (calls.answered.get(status) ?? 0) + 1),
  };
  const emulatorPort = await freePort();
  let emulator: RunningEmulator | undefined = await startEmulator(emulatorPort, options);
  const env: Record<string, string> = {
    NODE_ENV: "test",
    PORT: "0", // each worker process serves /healthz and /metrics on a port of its own
    DATABASE_URL: postgres.url,
    REDIS_URL: redis.url,
    HMAC_SECRET: TEST_SECRET,
    SAMPLE_RATE: "1",
    QUEUE_PREFIX: "faults",
    LANGUAGE_EMULATOR_HOST: `127.0.0.1:${emulatorPort}`,
    GOOGLE_QPM: "60000",
    WORKER_CONCURRENCY: "16",
    // the suite runs the crash settings scaled down (production: 10 s and 5 s), so it takes
    // seconds; the counts it proves do not depend on the scale
    WORKER_LOCK_MS: "2000",
    STALLED_INTERVAL_MS: "1000",
    RETRY_BASE_MS: "200",
    RETRY_MAX_MS: "2000",
    LOG_LEVEL: "info",
  };
  await runMigrations(postgres.url, createLogger("silent"));
  const logs = new LogSink();
  const deps: Deps = await createDeps(parseEnv(env), createLogger("info", logs));
  await bootstrapDatabase(deps.pool, { taxonomy: deps.taxonomy, kMinEvents: 10 });
  await deps.redisMarker.start(); // as `census api` does: it notices a Redis that lost its data
  const app = createApp(deps);
  const { key } = await createApiKey(deps.db, ["ingest"]);
  const workers: ReturnType<typeof spawnWorker>[] = [];

  const stack = {
    postgres,
    redis,
    env,
    deps,
    app,
    logs,
    calls,
    emulatorOptions: options,
    /** Posts `n` distinct router-sampled prompts in batches; returns the acknowledged request ids. */
    async post(n: number, batch = 100) {
      const acknowledged: string[] = [];
      for (let i = 0; i < n; i += batch) {
        const items = Array.from({ length: Math.min(batch, n - i) }, (_, j) => ({
          requestId: uniqueId(`fault${i + j}`),
          model: "openai/gpt-5",
          sampleRate: 1,
          prompt: `Write a Python function number ${i + j} that merges two sorted lists, and explain it`,
        }));
        const res = await stack.postItems(items);
        if (res.status === 202) acknowledged.push(...items.map((x) => x.requestId));
      }
      return acknowledged;
    },
    postItems(items: unknown[]) {
      return app.request("/v1/prompts", {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({ prompts: items }),
      });
    },
    worker(extra: Record<string, string> = {}) {
      const w = spawnWorker({ ...env, ...extra });
      workers.push(w);
      return w;
    },
    async events(): Promise<number> {
      const { rows } = await deps.pool.query("SELECT count(*)::int AS n FROM prompt_events");
      return rows[0].n;
    },
    /**
     * Waits until `n` events are stored, while their count moves (progress.ts: a loaded machine
     * drains slowly); the seconds since `started` are the drain time.
     */
    async drainedTo(n: number, started: number, o: ProgressOptions = {}) {
      await waitForCount(() => stack.events().catch(() => -1), n, { what: "events stored", ...o });
      return { stored: await stack.events(), drainSeconds: (Date.now() - started) / 1000 };
    },
    /** Events in the rollups minus distinct events: anything stored twice would show here. */
    async duplicated(): Promise<number> {
      const { rows } = await deps.pool.query(
        "SELECT (SELECT coalesce(sum(events), 0)::int FROM rollup_category_daily) - (SELECT count(*)::int FROM prompt_events) AS d",
      );
      return rows[0].d;
    },
    /** The scenario's figures: the common ones from what the test counted, plus its own. */
    async report(
      scenario: string,
      counted: { posted: number; stored: number; drainSeconds: number },
      extra: Record<string, number | string> = {},
    ): Promise<Figures> {
      const figures: Figures = {
        ...counted,
        lost: counted.posted - counted.stored,
        duplicated: await stack.duplicated(),
        googleCalls: calls.requests,
        extraGoogleCalls: calls.requests - counted.stored,
        ...extra,
      };
      report(scenario, figures);
      return figures;
    },
    async stopEmulator() {
      await emulator?.close();
      emulator = undefined;
    },
    async startEmulator() {
      emulator = await startEmulator(emulatorPort, options);
    },
    async close() {
      await Promise.all(workers.map((w) => w.kill("SIGKILL")));
      await deps.close().catch(() => {});
      await emulator?.close();
      await Promise.all([postgres.close(), redis.close()]);
    },
  };
  return stack;
}

export type FaultStack = Awaited<ReturnType<typeof startFaultStack>>;
export type { PostgresProcess, RedisProcess };

export interface Figures {
  posted: number;
  stored: number;
  lost: number;
  duplicated: number;
  drainSeconds: number;
  googleCalls: number;
  extraGoogleCalls: number;
  [more: string]: number | string;
}

/** One line in the test output and a JSON file per scenario (docs/reliability.md reports them). */
function report(scenario: string, figures: Figures) {
  const dir = "test-artifacts/reliability";
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    `${dir}/${scenario}.json`,
    `${JSON.stringify({ scenario, at: new Date().toISOString(), ...figures }, null, 2)}\n`,
  );
  console.log(`[fault] ${scenario} ${JSON.stringify(figures)}`);
}
