import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { createApp } from "./app";
import { loadCatalogue } from "./catalogue/catalogue";
import { storeCatalogue } from "./catalogue/store";
import { createClassifyWorker } from "./classification/worker";
import { bootstrapDatabase } from "./db/bootstrap";
import { runMigrations } from "./db/migrate";
import { ensurePartitions, PARTITION_MAINTENANCE_MS } from "./db/partitions";
import { createDeps, type Deps, lifecycleOf } from "./deps";
import { provideServices } from "./embedded/services";
import type { Env } from "./env";
import { capConnections } from "./http/connections";
import type { Logger } from "./platform/logger";
import { checkRedisDurability } from "./platform/redis-durability";
import { onShutdown } from "./platform/shutdown";
import { startRefresher } from "./stats/refresh";

export interface Roles {
  api: boolean;
  worker: boolean;
}

const CACHE_SWEEP_MS = 5 * 60_000;

export async function startWorker(deps: Deps) {
  const classifier = await deps.classifier();
  // Warm before the first job: a cold client's calls arrive late and then bunch with the next
  // limiter window's, over GOOGLE_QPM for that moment.
  await classifier.warmUp?.();
  const { options, processor, cache, cacheTtlSeconds, writer, refreshIntervalMs } =
    deps.workerSetup(classifier);
  const worker = createClassifyWorker(options, processor);
  // the privacy floor's units of what this and other workers wrote, refreshed outside the writes
  const refresher = startRefresher(deps.pool, refreshIntervalMs, deps.log.child({ module: "refresh" }));
  // expired cache entries go in batches, every few minutes, from whichever workers run
  const sweeping = cache
    ? setInterval(() => void cache.sweep().catch(() => {}), CACHE_SWEEP_MS).unref()
    : undefined;
  // next month's partition well before it starts, and old months out of DEFAULT (sql/partitions.sql)
  const partitioning = setInterval(
    () =>
      void ensurePartitions(deps.pool).catch((err) => deps.log.warn({ err }, "partition maintenance failed")),
    PARTITION_MAINTENANCE_MS,
  ).unref();
  deps.log.info(
    {
      engine: classifier.engine,
      concurrency: options.concurrency,
      qpm: options.googleQpm,
      cacheTtlSeconds,
      minWords: processor.minWords,
      refreshIntervalMs,
    },
    "worker started",
  );
  return {
    worker,
    async close() {
      clearInterval(sweeping);
      clearInterval(partitioning);
      await worker.close(); // waits for active jobs; unfinished ones return to the queue
      await writer.close(); // nothing should wait by now: a job ends when its row is committed
      await refresher.stop(); // one last refresh: this process's last writes are not left stale
      await options.connection.quit().catch(() => {});
    },
  };
}

/** Serves the API with limits of its own: Node's defaults (300 s per request, no connection cap) are not. */
export function startHttp(
  deps: Deps,
  port: number = deps.http.port,
  app: { fetch: (req: Request) => Response | Promise<Response> } = createApp(deps),
): Promise<{ port: number; host: string; close(): Promise<void> }> {
  const settings = deps.http;
  return new Promise((resolve, reject) => {
    const server = serve(
      {
        fetch: app.fetch,
        port,
        hostname: settings.host,
        serverOptions: {
          requestTimeout: settings.requestTimeoutMs,
          headersTimeout: settings.headersTimeoutMs,
          keepAliveTimeout: settings.keepAliveTimeoutMs,
          // how often Node checks the two timeouts above (default 30 s, which let a slow client
          // hold a socket for up to 30 s past its timeout)
          connectionsCheckingInterval: Math.min(1000, settings.headersTimeoutMs),
        },
      },
      () => {
        const bound = (server.address() as AddressInfo).port;
        const shown = settings.host === "0.0.0.0" ? "127.0.0.1" : settings.host;
        deps.log.info(
          { host: settings.host, port: bound, docs: `http://${shown}:${bound}/docs` },
          "api listening",
        );
        resolve({
          port: bound,
          host: settings.host,
          close: () => new Promise<void>((done) => server.close(() => done())),
        });
      },
    );
    capConnections(server as import("node:http").Server, settings.maxConnections, (reason) =>
      deps.metrics.httpConnectionsShed.inc({ reason }),
    );
    server.once("error", (err: NodeJS.ErrnoException) => {
      reject(
        err.code === "EADDRINUSE"
          ? new Error(
              `${settings.host}:${port} is in use (another census process here?). Give this one its own PORT, e.g. PORT=${port + 1}.`,
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
export async function run(configured: Env, roles: Roles, log: Logger, o: RunOptions = {}): Promise<void> {
  const services = await provideServices(configured, log, { mode: "start", forceEmbedded: o.embedded });
  const life = lifecycleOf(services.env);
  if (life.usingDevSecret) {
    log.warn(
      "HMAC_SECRET is not set: using the built-in development secret. Set it (32+ chars) before real traffic.",
    );
  }
  log.info({ pid: process.pid, ...life.where }, "starting");
  let deps: Deps | undefined;
  let http: Awaited<ReturnType<typeof startHttp>> | undefined;
  let worker: Awaited<ReturnType<typeof startWorker>> | undefined;
  // Signals are handled from here on, start-up included: a SIGTERM while migrating must still
  // stop the embedded services this process started.
  onShutdown(log, life.shutdownTimeoutMs, () => [
    ["http", async () => http?.close()],
    ["worker", async () => worker?.close()],
    ["connections", async () => deps?.close()],
    ["embedded services", () => services.stop()],
  ]);
  try {
    deps = await createDeps(services.env, log);
    // before anything is written: production refuses a Redis that can lose accepted prompts
    await checkRedisDurability(deps.redis, log, { refuse: life.refuseVolatileRedis });
    if (life.migrateFrom) await runMigrations(life.migrateFrom, log);
    await deps.redisMarker.start();
    await bootstrapDatabase(deps.pool, {
      taxonomy: deps.taxonomy,
      kMinEvents: life.kMinEvents,
      floorGrain: life.floorGrain,
    });
    // the model catalogue analysts join on (analytics.model_attributes): the files as they are now
    await storeCatalogue(deps.pool, loadCatalogue(services.env.MODEL_CATALOGUE));
    http = await startHttp(deps, deps.http.port, createApp(deps, roles.api ? "api" : "ops"));
    worker = roles.worker ? await startWorker(deps) : undefined;
  } catch (err) {
    await http?.close();
    await deps?.close();
    await services.stop();
    throw err;
  }
}
