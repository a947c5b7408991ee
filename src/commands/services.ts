import type { Redis } from "ioredis";
import type pg from "pg";
import type { Db } from "../db/client";
import type { Deps } from "../deps";
import { type Env, loadEnv } from "../env";
import { createLogger, type Logger } from "../platform/logger";
import type { ClassifyQueue } from "../queue/jobs";

// The one way a command gets its services: it says what it needs, gets exactly that, and
// everything is closed when it ends, however it ends.

export interface Needs {
  /** Apply the SQL migrations first (creates the database when missing). */
  migrations?: boolean;
  /** A small pool and drizzle on it. */
  database?: boolean;
  /** Only reads: the pool goes to DATABASE_READ_URL's replica when one is set. */
  readOnly?: boolean;
  /** The classify queue and its (fail-fast producer) Redis connection. */
  queue?: boolean;
  /** The whole composition root (src/deps.ts): for commands that ingest, as a backfill does. */
  deps?: boolean;
  /** Log at LOG_LEVEL; by default LOG_LEVEL=info logs only warnings. */
  verbose?: boolean;
}

type Given<N extends Needs> = { env: Env; log: Logger } & (N["database"] extends true
  ? { pool: pg.Pool; db: Db }
  : unknown) &
  (N["queue"] extends true ? { queue: ClassifyQueue; redis: Redis } : unknown) &
  (N["deps"] extends true ? { deps: Deps } : unknown);

/** The environment with the URLs of the services this command should use: set ones, a running
 * `census start`'s embedded ones, or the local defaults (src/embedded/services.ts). */
export async function servicesEnv(): Promise<Env> {
  const { provideServices } = await import("../embedded/services");
  return (await provideServices(loadEnv(), createLogger("warn"), { mode: "find" })).env;
}

// Commands print their results on stdout: info lines would mix in (`keys create --quiet`).
const quiet = (level: string) => (level === "info" ? "warn" : level);

export async function withServices<N extends Needs, T>(
  needs: N,
  fn: (given: Given<N>) => Promise<T>,
): Promise<T> {
  const env = await servicesEnv();
  const log = createLogger(needs.verbose ? env.LOG_LEVEL : quiet(env.LOG_LEVEL));
  if (needs.migrations) {
    const { runMigrations } = await import("../db/migrate");
    await runMigrations(env.DATABASE_URL, log);
  }
  const given: Record<string, unknown> = { env, log };
  const closing: (() => Promise<unknown>)[] = [];
  try {
    if (needs.database) {
      const { createDb, createPool } = await import("../db/client");
      const pool = createPool((needs.readOnly && env.DATABASE_READ_URL) || env.DATABASE_URL, { max: 2 });
      closing.push(() => pool.end());
      Object.assign(given, { pool, db: createDb(pool) });
    }
    if (needs.queue) {
      const { createProducerConnection, redisTopology } = await import("../platform/redis");
      const { createClassifyQueue } = await import("../queue/jobs");
      const redis = createProducerConnection(env.REDIS_URL, redisTopology(env));
      closing.push(async () => redis.disconnect());
      const queue = createClassifyQueue(redis, env.QUEUE_NAME, env.QUEUE_PREFIX);
      closing.push(() => queue.close());
      await queue.waitUntilReady();
      Object.assign(given, { queue, redis });
    }
    if (needs.deps) {
      const { createDeps } = await import("../deps");
      const deps = await createDeps(env, log);
      closing.push(() => deps.close());
      given.deps = deps;
    }
    return await fn(given as Given<N>);
  } finally {
    for (const close of closing.reverse()) await close().catch(() => {});
  }
}
