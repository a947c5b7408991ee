import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { createApp } from "./app";
import { createClassifyWorker } from "./classification/worker";
import { bootstrapDatabase } from "./db/bootstrap";
import { runMigrations } from "./db/migrate";
import { createDeps, type Deps, redactUrl } from "./deps";
import type { Env } from "./env";
import { createLogger, type Logger } from "./platform/logger";
import { createWorkerConnection } from "./platform/redis";
import { onShutdown } from "./platform/shutdown";

export interface Roles {
  api: boolean;
  worker: boolean;
}

export async function startWorker(deps: Deps) {
  const connection = createWorkerConnection(deps.env.REDIS_URL);
  const classifier = await deps.classifier();
  const worker = createClassifyWorker(
    {
      connection,
      queue: deps.queue,
      queueName: deps.env.QUEUE_NAME,
      prefix: deps.env.QUEUE_PREFIX,
      concurrency: deps.env.WORKER_CONCURRENCY,
      googleQpm: deps.env.GOOGLE_QPM,
      lockDurationMs: deps.env.WORKER_LOCK_MS,
      stalledIntervalMs: deps.env.STALLED_INTERVAL_MS,
      maxStalledCount: deps.env.MAX_STALLED_COUNT,
    },
    {
      pool: deps.pool,
      classifier,
      taxonomy: deps.taxonomy,
      threshold: deps.env.CONFIDENCE_THRESHOLD,
      metrics: deps.metrics,
      log: deps.log.child({ module: "worker" }),
      retryBaseMs: deps.env.RETRY_BASE_MS,
      retryMaxMs: deps.env.RETRY_MAX_MS,
    },
  );
  deps.log.info(
    { engine: classifier.engine, concurrency: deps.env.WORKER_CONCURRENCY, qpm: deps.env.GOOGLE_QPM },
    "worker started",
  );
  return {
    worker,
    async close() {
      await worker.close(); // waits for active jobs; unfinished ones return to the queue
      await connection.quit().catch(() => {});
    },
  };
}

export function startHttp(deps: Deps, port: number): Promise<{ port: number; close(): Promise<void> }> {
  const app = createApp(deps);
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port }, () => {
      const bound = (server.address() as AddressInfo).port;
      deps.log.info({ port: bound, docs: `http://127.0.0.1:${bound}/docs` }, "api listening");
      resolve({
        port: bound,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}

/** Runs the API, the worker or both in this process until SIGTERM/SIGINT. */
export async function run(env: Env, roles: Roles, log: Logger = createLogger(env.LOG_LEVEL)): Promise<void> {
  if (env.usingDevSecret) {
    log.warn(
      "HMAC_SECRET is not set: using the built-in development secret. Set it (32+ chars) before real traffic.",
    );
  }
  log.info({ database: redactUrl(env.DATABASE_URL), redis: redactUrl(env.REDIS_URL) }, "starting");
  if (env.MIGRATE_ON_START) await runMigrations(env.DATABASE_URL, log);
  const deps = await createDeps(env, log);
  await bootstrapDatabase(deps.pool, { taxonomy: deps.taxonomy, kMinEvents: env.K_MIN_EVENTS });
  const http = roles.api ? await startHttp(deps, env.PORT) : undefined;
  const worker = roles.worker ? await startWorker(deps) : undefined;
  onShutdown(log, env.SHUTDOWN_TIMEOUT_MS, () => [
    ["http", async () => http?.close()],
    ["worker", async () => worker?.close()],
    ["connections", () => deps.close()],
  ]);
}
