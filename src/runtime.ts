import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { createApp } from "./app";
import { createCacheStore } from "./classification/cache";
import { createClassifyWorker } from "./classification/worker";
import { bootstrapDatabase } from "./db/bootstrap";
import { runMigrations } from "./db/migrate";
import { createDeps, type Deps } from "./deps";
import { provideServices } from "./embedded/services";
import type { Env } from "./env";
import { capConnections } from "./http/connections";
import { createLogger, type Logger } from "./platform/logger";
import { redactUrl } from "./platform/redact-url";
import { createWorkerConnection } from "./platform/redis";
import { checkRedisDurability } from "./platform/redis-durability";
import { onShutdown } from "./platform/shutdown";

export interface Roles {
  api: boolean;
  worker: boolean;
}

const CACHE_SWEEP_MS = 5 * 60_000;

export async function startWorker(deps: Deps) {
  const connection = createWorkerConnection(deps.env.REDIS_URL);
  const classifier = await deps.classifier();
  // Warm before the first job: a cold client's calls arrive late and then bunch with the next
  // limiter window's, over GOOGLE_QPM for that moment.
  await classifier.warmUp?.();
  const ttl = deps.env.CLASSIFY_CACHE_TTL;
  const cache = ttl > 0 ? createCacheStore(deps.pool, ttl) : undefined;
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
      cache,
      secret: deps.env.HMAC_SECRET,
      sealer: deps.sealer,
      minWords: deps.env.MIN_WORDS,
    },
  );
  // expired cache entries go in batches, every few minutes, from whichever workers run
  const sweeping = cache
    ? setInterval(() => void cache.sweep().catch(() => {}), CACHE_SWEEP_MS).unref()
    : undefined;
  deps.log.info(
    {
      engine: classifier.engine,
      concurrency: deps.env.WORKER_CONCURRENCY,
      qpm: deps.env.GOOGLE_QPM,
      cacheTtlSeconds: ttl,
      minWords: deps.env.MIN_WORDS,
    },
    "worker started",
  );
  return {
    worker,
    async close() {
      clearInterval(sweeping);
      await worker.close(); // waits for active jobs; unfinished ones return to the queue
      await connection.quit().catch(() => {});
    },
  };
}

/** Serves the API with limits of its own: Node's defaults (300 s per request, no connection cap) are not. */
export function startHttp(
  deps: Deps,
  port: number = deps.env.PORT,
  app: { fetch: (req: Request) => Response | Promise<Response> } = createApp(deps),
): Promise<{ port: number; host: string; close(): Promise<void> }> {
  const { env } = deps;
  return new Promise((resolve, reject) => {
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
    capConnections(server as import("node:http").Server, env.HTTP_MAX_CONNECTIONS, (reason) =>
      deps.metrics.httpConnectionsShed.inc({ reason }),
    );
    server.once("error", (err: NodeJS.ErrnoException) => {
      reject(
        err.code === "EADDRINUSE"
          ? new Error(
              `${env.HOST}:${port} is in use (another census process here?). Give this one its own PORT, e.g. PORT=${port + 1}.`,
            )
          : err,
      );
    });
  });
}

export interface RunOptions {
  /** Start embedded Postgres and Redis even when the local defaults answer. */
  embedded?: boolean;
}

/**
 * Runs the API, the worker or both in this process until SIGTERM/SIGINT, on the services
 * provideServices finds or starts. A worker-only process serves /healthz, /readyz and /metrics.
 */
export async function run(
  configured: Env,
  roles: Roles,
  log: Logger = createLogger(configured.LOG_LEVEL),
  o: RunOptions = {},
): Promise<void> {
  const services = await provideServices(configured, log, {
    mode: "start",
    forceEmbedded: o.embedded || configured.CENSUS_EMBEDDED,
  });
  const env = services.env;
  if (env.usingDevSecret) {
    log.warn(
      "HMAC_SECRET is not set: using the built-in development secret. Set it (32+ chars) before real traffic.",
    );
  }
  log.info(
    { pid: process.pid, database: redactUrl(env.DATABASE_URL), redis: redactUrl(env.REDIS_URL) },
    "starting",
  );
  let deps: Deps | undefined;
  let http: Awaited<ReturnType<typeof startHttp>> | undefined;
  let worker: Awaited<ReturnType<typeof startWorker>> | undefined;
  // Signals are handled from here on, start-up included: a SIGTERM while migrating must still
  // stop the embedded services this process started.
  onShutdown(log, env.SHUTDOWN_TIMEOUT_MS, () => [
    ["http", async () => http?.close()],
    ["worker", async () => worker?.close()],
    ["connections", async () => deps?.close()],
    ["embedded services", () => services.stop()],
  ]);
  try {
    deps = await createDeps(env, log);
    // before anything is written: production refuses a Redis that can lose accepted prompts
    await checkRedisDurability(deps.redis, log, {
      refuse: env.NODE_ENV === "production" && !env.ALLOW_VOLATILE_REDIS,
    });
    if (env.MIGRATE_ON_START) await runMigrations(env.DATABASE_URL, log);
    await deps.redisMarker.start();
    await bootstrapDatabase(deps.pool, {
      taxonomy: deps.taxonomy,
      kMinEvents: env.K_MIN_EVENTS,
      floorGrain: env.FLOOR_GRAIN,
    });
    http = await startHttp(deps, env.PORT, createApp(deps, roles.api ? "api" : "ops"));
    worker = roles.worker ? await startWorker(deps) : undefined;
  } catch (err) {
    await http?.close();
    await deps?.close();
    await services.stop();
    throw err;
  }
}
