import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import type pg from "pg";
import type { Logger } from "./logger";
import type { Metrics } from "./metrics";

// A Redis that lost its data (a restart with AOF off, a flush, eviction) answers like an empty
// one: every queue gauge says 0 and nothing fails. So each process keeps a marker in Redis, one
// key per queue, and checks it at start, on every reconnect and every CHECK_MS. Postgres records
// the marker's token, which tells a first start (no row: nothing was ever queued there) from a
// loss (a row, and Redis without the token). Each process also remembers the token it last saw:
// the first process to notice a loss writes a new marker, and the others still see a token that
// is not theirs and count the loss too.

const CHECK_MS = 30_000;

export type MarkerVerdict = "ok" | "first" | "adopt" | "lost";

/**
 * Pure: what this process makes of the marker. `inRedis` is the token in Redis (null: none),
 * `recorded` the one Postgres holds (read only when `known` is null), `known` the one this
 * process saw last (null before its first check).
 *   ok: nothing changed. first: an empty Redis and nothing recorded: write the marker.
 *   adopt: a marker Postgres does not hold (a row lost, or a process between writing the two):
 *     record it. lost: Redis lost its data.
 */
export function judgeMarker(m: {
  inRedis: string | null;
  recorded: string | null;
  known: string | null;
}): MarkerVerdict {
  if (m.known !== null) return m.inRedis === m.known ? "ok" : "lost";
  if (m.inRedis === null) return m.recorded === null ? "first" : "lost";
  return m.inRedis === m.recorded ? "ok" : "adopt";
}

export interface RedisDataLoss {
  /** Losses this process noticed since it started. */
  count: number;
  /** When it noticed the last one (ISO). */
  lastAt: string;
}

export interface RedisMarker {
  /** Checks once (throws if Redis or Postgres do not answer), then on every reconnect and periodically. */
  start(): Promise<void>;
  /** One check now; resolves with the verdict (tests and the periodic check). */
  check(): Promise<MarkerVerdict>;
  /** What this process noticed, for /readyz: undefined while Redis never lost its data. */
  loss(): RedisDataLoss | undefined;
  stop(): void;
}

export function createRedisMarker(o: {
  redis: Redis;
  pool: pg.Pool;
  /** The marker's Redis key: one per queue prefix and name, so queues sharing a Redis keep their own. */
  key: string;
  log: Logger;
  metrics: Metrics;
  checkMs?: number;
}): RedisMarker {
  const { redis, pool, key, log } = o;
  let known: string | null = null;
  let loss: RedisDataLoss | undefined;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<MarkerVerdict> | undefined;

  const record = async (token: string) => {
    await pool.query(
      `INSERT INTO redis_markers (queue, token) VALUES ($1, $2)
       ON CONFLICT (queue) DO UPDATE SET token = excluded.token, written_at = now()`,
      [key, token],
    );
  };

  /** Writes a new marker unless another process just did (NX): all of them then keep the first. */
  const arm = async (): Promise<string> => {
    const mine = randomBytes(16).toString("hex");
    const written = (await redis.set(key, mine, "NX")) === "OK";
    const token = written ? mine : await redis.get(key);
    if (token === null) throw new Error("the Redis marker vanished while it was written");
    await record(token);
    return token;
  };

  const report = () => {
    loss = { count: (loss?.count ?? 0) + 1, lastAt: new Date().toISOString() };
    o.metrics.redisDataLost.inc();
    log.error(
      { code: "REDIS_DATA_LOST", marker: key },
      "REDIS LOST ITS DATA: it came back without the marker this service keeps in it (a restart with appendonly no, a flush or eviction). Jobs it held are gone: prompts accepted (202) and not yet stored will never become events. Re-queue a backfill's with `census backfill --verify <run>`; set appendonly yes and maxmemory-policy noeviction (docs/reliability.md).",
    );
  };

  const once = async (): Promise<MarkerVerdict> => {
    // Postgres before Redis: a token is recorded only once it is in Redis, so a row read before
    // an empty Redis means Redis lost it, never that a process starting beside this one is
    // writing it (read the other way round, processes starting together reported a loss).
    const recorded =
      known === null
        ? (((await pool.query("SELECT token FROM redis_markers WHERE queue = $1", [key])).rows[0]?.token as
            | string
            | undefined) ?? null)
        : null;
    const inRedis = await redis.get(key);
    if (known !== null && inRedis === known) return "ok";
    const verdict = judgeMarker({ inRedis, recorded, known });
    if (verdict === "lost") report();
    if (verdict === "first") log.info({ marker: key }, "first start on this Redis: marker written");
    if (verdict === "adopt" || (verdict === "lost" && inRedis !== null)) await record(inRedis as string);
    known = inRedis ?? (await arm());
    return verdict;
  };

  /** One check at a time: a reconnect during a periodic check waits for it, then checks again. */
  const check = async (): Promise<MarkerVerdict> => {
    while (running) await running.catch(() => {});
    running = once();
    try {
      return await running;
    } finally {
      running = undefined;
    }
  };

  const background = () => {
    check().catch((err: Error) => {
      // Redis or Postgres is down: the next reconnect or period checks again
      log.debug({ msg: err.message }, "could not check the Redis marker");
    });
  };

  return {
    async start() {
      await check();
      redis.on("ready", background);
      timer = setInterval(background, o.checkMs ?? CHECK_MS).unref();
    },
    check,
    loss: () => loss,
    stop() {
      redis.off("ready", background);
      clearInterval(timer);
    },
  };
}
