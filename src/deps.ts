import type { Redis } from "ioredis";
import type pg from "pg";
import { createKeyVerifier, type KeyVerifier } from "./auth/keys";
import { type CacheStore, createCacheStore } from "./classification/cache";
import type { Classifier } from "./classification/classifier";
import { createEventWriter, type EventWriter } from "./classification/event-writer";
import type { ProcessorDeps } from "./classification/processor";
import type { WorkerOptions } from "./classification/worker";
import { createDb, createPool, createReadPool, type Db } from "./db/client";
import type { Env } from "./env";
import { createEnqueuer } from "./ingest/enqueue";
import type { IngestDeps } from "./ingest/service";
import type { Logger } from "./platform/logger";
import {
  createMetrics,
  type Metrics,
  trackQueueDepth,
  trackRefreshLag,
  trackRemovals,
} from "./platform/metrics";
import { redactUrl } from "./platform/redact-url";
import { createProducerConnection, createWorkerConnection, redisTopology } from "./platform/redis";
import { createRedisMarker, type RedisMarker } from "./platform/redis-marker";
import { queueCounts } from "./queue/failed";
import { type ClassifyQueue, createClassifyQueue } from "./queue/jobs";
import { removalCounts } from "./queue/removals";
import { createSealer, parsePayloadKeys, type Sealer } from "./queue/sealed";
import { refreshLag } from "./stats/refresh";
import { loadTaxonomy } from "./taxonomy/load";
import type { Taxonomy } from "./taxonomy/mapping";
import { sources } from "./vocabulary";

export interface Deps {
  env: Env;
  log: Logger;
  metrics: Metrics;
  pool: pg.Pool;
  /** Where stats and analytics read: DATABASE_READ_URL's replica, or `pool` when unset. */
  readPool: pg.Pool;
  db: Db;
  redis: Redis;
  queue: ClassifyQueue;
  /** Notices a Redis that lost its data; the roles start it (runtime.ts), other commands need not. */
  redisMarker: RedisMarker;
  /** Seals job texts for Redis; only workers open them. */
  sealer: Sealer;
  taxonomy: Taxonomy;
  verifyKey: KeyVerifier;
  /** What ingest needs: live posts and backfills share it, so both sample and enqueue alike. */
  ingest: IngestDeps;
  /** Built on first use: the API alone never needs one. */
  classifier(): Promise<Classifier>;
  /** The HTTP server's address and limits. */
  http: HttpSettings;
  /**
   * What a worker needs besides its classifier: its own blocking connection, the cache, settings.
   * `tuned` replaces settings of the environment for this worker only (benches: another GOOGLE_QPM).
   */
  workerSetup(classifier: Classifier, tuned?: Partial<Env>): WorkerSetup;
  close(): Promise<void>;
}

export interface HttpSettings {
  port: number;
  host: string;
  requestTimeoutMs: number;
  headersTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxConnections: number;
}

/** A worker's parts; `createClassifyWorker(options, processor)` makes the worker of them. */
export interface WorkerSetup {
  options: WorkerOptions;
  processor: Omit<ProcessorDeps, "rateLimit" | "onAuthFailure" | "acquireCall">;
  cache: CacheStore | undefined;
  cacheTtlSeconds: number;
  /** Batches the worker's event writes; closed after the worker, so its last jobs' rows land. */
  writer: EventWriter;
  /** How often this process refreshes stale release units (REFRESH_INTERVAL_MS). */
  refreshIntervalMs: number;
}

/** What the process lifecycle (runtime.ts) decides by, read from the environment here. */
export interface Lifecycle {
  shutdownTimeoutMs: number;
  /** Production refuses a Redis that can lose accepted prompts, unless ALLOW_VOLATILE_REDIS. */
  refuseVolatileRedis: boolean;
  /** The database to migrate at start (MIGRATE_ON_START); undefined: none. */
  migrateFrom: string | undefined;
  kMinEvents: number;
  floorGrain: Env["FLOOR_GRAIN"];
  usingDevSecret: boolean;
  /** Where the services are, passwords hidden, for the start-up line. */
  where: { database: string; redis: string };
}

/** Pure. */
export function lifecycleOf(env: Env): Lifecycle {
  return {
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    refuseVolatileRedis: env.NODE_ENV === "production" && !env.ALLOW_VOLATILE_REDIS,
    migrateFrom: env.MIGRATE_ON_START ? env.DATABASE_URL : undefined,
    kMinEvents: env.K_MIN_EVENTS,
    floorGrain: env.FLOOR_GRAIN,
    usingDevSecret: env.usingDevSecret,
    where: { database: redactUrl(env.DATABASE_URL), redis: redactUrl(env.REDIS_URL) },
  };
}

/** How long a worker keeps a cache hit in memory (classification/cache.ts): a hot cache costs no
 * query per job, and an entry replaced in Postgres is seen again within this. */
const CACHE_MEMO_MS = 60_000;

export interface DepsOverrides {
  classifier?: Classifier;
  metrics?: Metrics;
}

/** The one place where the process is wired together. */
export async function createDeps(env: Env, log: Logger, overrides: DepsOverrides = {}): Promise<Deps> {
  const pool = createPool(env.DATABASE_URL, {
    connectTimeoutMs: env.PG_CONNECT_TIMEOUT_MS,
    statementTimeoutMs: env.PG_STATEMENT_TIMEOUT_MS,
  });
  const readPool = createReadPool(env.DATABASE_READ_URL, pool, {
    connectTimeoutMs: env.PG_CONNECT_TIMEOUT_MS,
    statementTimeoutMs: env.PG_STATEMENT_TIMEOUT_MS,
  });
  const db = createDb(pool);
  const redis = createProducerConnection(env.REDIS_URL, redisTopology(env));
  // The producer connection refuses commands while offline (fail fast), so wait for it once here.
  await new Promise<void>((resolve, reject) => {
    if (redis.status === "ready") return resolve();
    redis.once("ready", () => resolve());
    redis.once("error", (err) => reject(new Error(`Redis at ${redactUrl(env.REDIS_URL)}: ${err.message}`)));
  });
  redis.on("error", (err) => log.warn({ msg: err.message }, "redis connection error"));
  const queue = createClassifyQueue(redis, env.QUEUE_NAME, env.QUEUE_PREFIX);
  queue.on("error", (err) => log.warn({ msg: err.message }, "queue error"));

  let classifier: Promise<Classifier> | undefined = overrides.classifier
    ? Promise.resolve(overrides.classifier)
    : undefined;
  let emulatorClose: (() => Promise<void>) | undefined;

  const sealer = createSealer(env.HMAC_SECRET, parsePayloadKeys(env.PAYLOAD_KEY));
  const metrics =
    overrides.metrics ?? createMetrics({ fineLabels: env.METRICS_FINE_LABELS, ingestSources: sources });
  if (!metrics.registry.getSingleMetric("census_queue_jobs")) {
    trackQueueDepth(metrics, () => queueCounts(queue));
    trackRemovals(metrics, () => removalCounts(queue, redis));
  }
  if (!metrics.registry.getSingleMetric("census_release_refresh_lag_seconds")) {
    trackRefreshLag(metrics, () => refreshLag(pool));
  }
  const workerSetup = (classifier: Classifier, tuned: Partial<Env> = {}): WorkerSetup => {
    const e = { ...env, ...tuned };
    const ttl = e.CLASSIFY_CACHE_TTL;
    const cache = ttl > 0 ? createCacheStore(pool, ttl, CACHE_MEMO_MS) : undefined;
    const writer = createEventWriter(pool);
    return {
      options: {
        connection: createWorkerConnection(e.REDIS_URL, redisTopology(e)),
        queue,
        queueName: e.QUEUE_NAME,
        prefix: e.QUEUE_PREFIX,
        concurrency: e.WORKER_CONCURRENCY,
        googleQpm: e.GOOGLE_QPM,
        lockDurationMs: e.WORKER_LOCK_MS,
        stalledIntervalMs: e.STALLED_INTERVAL_MS,
        maxStalledCount: e.MAX_STALLED_COUNT,
      },
      processor: {
        pool,
        classifier,
        taxonomy,
        threshold: e.CONFIDENCE_THRESHOLD,
        metrics,
        log: log.child({ module: "worker" }),
        retryBaseMs: e.RETRY_BASE_MS,
        retryMaxMs: e.RETRY_MAX_MS,
        cache,
        secret: e.HMAC_SECRET,
        sealer,
        minWords: e.MIN_WORDS,
        writeEvent: writer.write,
      },
      cache,
      cacheTtlSeconds: ttl,
      writer,
      refreshIntervalMs: e.REFRESH_INTERVAL_MS,
    };
  };
  const taxonomy = loadTaxonomy(env.MAPPING);
  const redisMarker = createRedisMarker({
    redis,
    pool,
    key: queue.toKey("census-marker"),
    log: log.child({ module: "redis-marker" }),
    metrics,
  });
  const enqueueDeps = { db, queue, redis, sealer, jobAttempts: env.JOB_ATTEMPTS };
  return {
    env,
    log,
    metrics,
    pool,
    readPool,
    db,
    redis,
    queue,
    redisMarker,
    sealer,
    taxonomy,
    verifyKey: createKeyVerifier(db, env.KEY_CACHE_TTL_MS),
    ingest: {
      ...enqueueDeps,
      enqueue: createEnqueuer(enqueueDeps),
      metrics,
      secret: env.HMAC_SECRET,
      sampleRate: env.SAMPLE_RATE,
      maxChars: env.MAX_CHARS,
      redact: env.REDACT === "on",
      textFrom: env.TEXT_FROM,
    },
    http: {
      port: env.PORT,
      host: env.HOST,
      requestTimeoutMs: env.HTTP_REQUEST_TIMEOUT_MS,
      headersTimeoutMs: env.HTTP_HEADERS_TIMEOUT_MS,
      keepAliveTimeoutMs: env.HTTP_KEEPALIVE_TIMEOUT_MS,
      maxConnections: env.HTTP_MAX_CONNECTIONS,
    },
    workerSetup,
    classifier() {
      classifier ??= openClassifier(env, log).then((opened) => {
        emulatorClose = opened.closeEmulator;
        return opened.classifier;
      });
      return classifier;
    },
    async close() {
      redisMarker.stop();
      if (classifier) await (await classifier).close().catch(() => {});
      await emulatorClose?.();
      await queue.close().catch(() => {});
      await redis.quit().catch(() => {});
      await pool.end().catch(() => {});
      if (readPool !== pool) await readPool.end().catch(() => {});
    },
  };
}

/**
 * The classifier this environment asks for: Google's (or LANGUAGE_EMULATOR_HOST's) client, else a
 * built-in emulator started for it. Loaded on first use: the Google client is large, and the API
 * and backfills never need it. `census eval` opens one the same way.
 */
export async function openClassifier(
  env: Env,
  log: Logger,
): Promise<{ classifier: Classifier; closeEmulator?: () => Promise<void> }> {
  const { createGoogleClassifier } = await import("./classification/google");
  if (wantsGoogle(env)) {
    const classifier = createGoogleClassifier({
      emulatorHost: env.LANGUAGE_EMULATOR_HOST,
      apiKey: env.GOOGLE_API_KEY,
      projectId: env.GOOGLE_CLOUD_PROJECT,
    });
    return { classifier };
  }
  const { startEmulator } = await import("./emulator/server");
  const emulator = await startEmulator(0);
  log.warn(
    { emulator: emulator.host },
    "NO GOOGLE CREDENTIALS (GOOGLE_API_KEY) AND NO LANGUAGE_EMULATOR_HOST: classifying with the built-in emulator. Events are stored with engine = 'emulator'; they are not Google's answers.",
  );
  return {
    classifier: createGoogleClassifier({ emulatorHost: emulator.host }),
    closeEmulator: emulator.close,
  };
}

/** auto: an emulator host or any Google credential wins; otherwise the built-in emulator. */
export function wantsGoogle(env: Env): boolean {
  if (env.LANGUAGE_EMULATOR_HOST) return true; // the client talks to it as to Google
  if (env.CLASSIFIER !== "auto") return env.CLASSIFIER === "google";
  return Boolean(env.GOOGLE_API_KEY || env.GOOGLE_APPLICATION_CREDENTIALS || env.NODE_ENV === "production");
}
