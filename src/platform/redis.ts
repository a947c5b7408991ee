import { readFileSync } from "node:fs";
import { Cluster, Redis, type RedisOptions } from "ioredis";

/**
 * How to reach Redis besides REDIS_URL: one node of a Cluster, or a master found through
 * Sentinels, with TLS (rediss://) trusting an extra CA. Built from the environment by
 * `redisTopology`; absent, REDIS_URL is one plain Redis.
 */
export interface RedisTopology {
  cluster?: boolean;
  sentinels?: readonly { host: string; port: number }[];
  sentinelName?: string;
  /** PEM, trusted for rediss:// besides the system's CAs. */
  tlsCa?: string | Buffer;
}

export function redisTopology(env: {
  REDIS_CLUSTER: boolean;
  REDIS_SENTINELS?: string;
  REDIS_SENTINEL_NAME: string;
  REDIS_TLS_CA_FILE?: string;
}): RedisTopology {
  return {
    cluster: env.REDIS_CLUSTER,
    sentinels: env.REDIS_SENTINELS ? parseSentinels(env.REDIS_SENTINELS) : undefined,
    sentinelName: env.REDIS_SENTINEL_NAME,
    tlsCa: env.REDIS_TLS_CA_FILE ? readFileSync(env.REDIS_TLS_CA_FILE) : undefined,
  };
}

/** Pure: "a:1,b:2" as host and port pairs (the env schema checked the shape). */
export function parseSentinels(list: string): { host: string; port: number }[] {
  return list.split(",").map((hp) => {
    const i = hp.lastIndexOf(":");
    return { host: hp.slice(0, i), port: Number(hp.slice(i + 1)) };
  });
}

/** A Cluster's client, where the caller must act per node (CONFIG GET) rather than on any one. */
export function isCluster(redis: Redis): boolean {
  return (redis as Redis | Cluster).isCluster === true;
}

/** The masters of a Cluster, or the one Redis itself. */
export function redisNodes(redis: Redis): Redis[] {
  return isCluster(redis) ? (redis as unknown as Cluster).nodes("master") : [redis];
}

// Two kinds of connection, as BullMQ's production guide asks: producers fail fast when Redis is
// down (so POST answers 503 instead of hanging), workers wait forever for Redis to come back.
export function createProducerConnection(url: string, topology: RedisTopology = {}): Redis {
  return connect(url, topology, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false });
}

export function createWorkerConnection(url: string, topology: RedisTopology = {}): Redis {
  return connect(url, topology, { maxRetriesPerRequest: null });
}

/** Pure: the parts of a redis:// or rediss:// URL every node and sentinel connection shares. */
export function urlOptions(url: string, tlsCa?: string | Buffer): RedisOptions {
  const u = new URL(url);
  const db = Number(u.pathname.slice(1) || 0);
  return {
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(db ? { db } : {}),
    ...(u.protocol === "rediss:" ? { tls: tlsCa ? { ca: tlsCa } : {} } : {}),
  };
}

// A Cluster (and a Sentinel-found master) is returned under Redis's type: both answer the same
// commands, so callers stay as they are; the few that must act per node ask `isCluster`.
function connect(url: string, t: RedisTopology, base: RedisOptions): Redis {
  const shared = urlOptions(url, t.tlsCa);
  if (t.cluster) {
    const u = new URL(url);
    const { enableOfflineQueue, ...perNode } = base;
    // Every node gets REDIS_URL's credentials and TLS, and the per-command options (BullMQ looks
    // for a worker's maxRetriesPerRequest: null there); the offline queue is the Cluster's own.
    return new Cluster([{ host: u.hostname, port: Number(u.port || 6379) }], {
      redisOptions: { ...perNode, ...shared, db: undefined },
      ...(enableOfflineQueue === undefined ? {} : { enableOfflineQueue }),
    }) as unknown as Redis;
  }
  if (t.sentinels && t.sentinels.length > 0) {
    return new Redis({
      ...base,
      ...shared,
      sentinels: [...t.sentinels],
      name: t.sentinelName ?? "mymaster",
      // rediss:// asks for TLS to the sentinels as well as to the master
      ...(shared.tls ? { enableTLSForSentinelMode: true, sentinelTLS: shared.tls } : {}),
    });
  }
  return new Redis(url, { ...base, ...(shared.tls ? { tls: shared.tls } : {}) });
}
