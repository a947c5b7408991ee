import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { createApp } from "./app";
import { createClassifyWorker } from "./classification/worker";
import { bootstrapDatabase } from "./db/bootstrap";
import { runMigrations } from "./db/migrate";
import { createDeps, type Deps } from "./deps";
import type { Env } from "./env";
import { createLogger, type Logger } from "./platform/logger";
import { redactUrl } from "./platform/redact-url";
import { createWorkerConnection } from "./platform/redis";
import { checkRedisDurability } from "./platform/redis-durability";
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

/** Serves the API with limits of its own: Node's defaults (300 s per request, no connection cap) are not. */
export function startHttp(
  deps: Deps,
  port: number = deps.env.PORT,
): Promise<{ port: number; host: string; close(): Promise<void> }> {
  const { env } = deps;
  const app = createApp(deps);
  return new Promise((resolve) => {
    const server = serve(
      {
        fetch: app.fetch,
        port,
        hostname: env.HOST,
        serverOptions: {
          requestTimeout: env.HTTP_REQUEST_TIMEOUT_MS,
          headersTimeout: env.HTTP_HEADERS_TIMEOUT_MS,
          keepAliveTimeout: env.HTTP_KEEPALIVE_TIMEOUT_MS,
          // how often Node checks the two timeouts above (default 30 s, which let a slow client
          // hold a socket for up to 30 s past its timeout)
          connectionsCheckingInterval: Math.min(1000, env.HTTP_HEADERS_TIMEOUT_MS),
        },
      },
      () => {
        const bound = (server.address() as AddressInfo).port;
        const shown = env.HOST === "0.0.0.0" ? "127.0.0.1" : env.HOST;
        deps.log.info(
          { host: env.HOST, port: bound, docs: `http://${shown}:${bound}/docs` },
          "api listening",
        );
        resolve({
          port: bound,
          host: env.HOST,
          close: () => new Promise<void>((done) => server.close(() => done())),
        });
      },
    );
    (server as import("node:net").Server).maxConnections = env.HTTP_MAX_CONNECTIONS;
  });
}

/** Runs the API, the worker or both in this process until SIGTERM/SIGINT. */
export async function run(env: Env, roles: Roles, log: Logger = createLogger(env.LOG_LEVEL)): Promise<void> {
  if (env.usingDevSecret) {
    log.warn(
      "HMAC_SECRET is not set: using the built-in development secret. Set it (32+ chars) before real traffic.",
    );
  }
  log.info(
    { pid: process.pid, database: redactUrl(env.DATABASE_URL), redis: redactUrl(env.REDIS_URL) },
    "starting",
  );
  if (env.MIGRATE_ON_START) await runMigrations(env.DATABASE_URL, log);
  const deps = await createDeps(env, log);
  await checkRedisDurability(deps.redis, log);
  await bootstrapDatabase(deps.pool, { taxonomy: deps.taxonomy, kMinEvents: env.K_MIN_EVENTS });
  const http = roles.api ? await startHttp(deps) : undefined;
  const worker = roles.worker ? await startWorker(deps) : undefined;
  onShutdown(log, env.SHUTDOWN_TIMEOUT_MS, () => [
    ["http", async () => http?.close()],
    ["worker", async () => worker?.close()],
    ["connections", () => deps.close()],
  ]);
}
