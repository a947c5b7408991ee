import type { Redis } from "ioredis";
import { AppError } from "./errors";
import type { Logger } from "./logger";
import { isCluster, redisNodes } from "./redis";

// BullMQ keeps every accepted prompt in Redis until it is stored: Redis is this service's
// durability. What it must be set to, and what is lost otherwise, is in docs/reliability.md.

export interface RedisPersistence {
  appendonly: string;
  appendfsync: string;
  maxmemoryPolicy: string;
  save: string;
}

/** Pure: one warning per setting that can lose accepted work or keep job payloads (their texts
 * sealed: queue/sealed.ts) on disk after the jobs are gone. */
export function assessRedis(c: RedisPersistence): string[] {
  const warnings: string[] = [];
  if (c.appendonly !== "yes") {
    warnings.push(
      "appendonly is off: a Redis crash or restart loses every job not yet stored (670 of 2,000 acknowledged prompts in a test). Set appendonly yes, appendfsync everysec.",
    );
  } else if (c.appendfsync === "no") {
    warnings.push("appendfsync no: a machine crash can lose ~30 s of accepted jobs. Use everysec.");
  }
  if (c.maxmemoryPolicy !== "noeviction") {
    warnings.push(
      `maxmemory-policy is ${c.maxmemoryPolicy}: under memory pressure Redis evicts job keys silently. Set noeviction (Redis then refuses writes and the API answers 503).`,
    );
  }
  if (c.save.trim() !== "") {
    warnings.push(
      `RDB snapshots are on (save "${c.save}"): each snapshot writes waiting jobs, their texts sealed, to dump.rdb, where they outlive the jobs until the next snapshot. With AOF on, set save "".`,
    );
  }
  return warnings;
}

/**
 * Pure: the one line a production start refuses this Redis with, or null. AOF off loses every
 * waiting job on a restart, an eviction policy drops job keys under memory pressure; both
 * silently. appendfsync and RDB only warn: they do not lose what a Redis restart keeps.
 */
export function refusal(c: RedisPersistence): string | null {
  const unsafe: string[] = [];
  if (c.appendonly !== "yes") unsafe.push(`appendonly ${c.appendonly || "no"}`);
  if (c.maxmemoryPolicy !== "noeviction") unsafe.push(`maxmemory-policy ${c.maxmemoryPolicy}`);
  if (unsafe.length === 0) return null;
  return `Refusing to start: NODE_ENV=production and Redis runs with ${unsafe.join(" and ")}, so a Redis restart or memory pressure loses accepted prompts. Set appendonly yes and maxmemory-policy noeviction on Redis (docs/reliability.md), or ALLOW_VOLATILE_REDIS=1 to start anyway.`;
}

/**
 * Reads the settings once at start-up and logs loudly what is unsafe; with `refuse` (production
 * without ALLOW_VOLATILE_REDIS) throws REDIS_VOLATILE instead of starting on a Redis that can lose
 * accepted prompts. A managed Redis may refuse CONFIG: then it says so and goes on.
 */
export async function checkRedisDurability(
  redis: Redis,
  log: Logger,
  o: { refuse?: boolean } = {},
): Promise<string[]> {
  // A Cluster keeps each slot's jobs on one master (and its replicas, which a failover promotes):
  // every node must be safe, so each is asked and judged on its own.
  const nodes = redisNodes(redis);
  const configs: { node?: string; config: RedisPersistence }[] = [];
  try {
    for (const node of nodes) {
      const config = await readPersistence(node);
      configs.push({ ...(isCluster(redis) ? { node: nodeName(node) } : {}), config });
    }
  } catch {
    log.warn(
      "Redis refused CONFIG GET (a managed Redis?): cannot check its persistence, starting anyway. It must keep AOF on (appendfsync everysec) and maxmemory-policy noeviction, or accepted prompts can be lost (docs/reliability.md).",
    );
    return [];
  }
  for (const { node, config } of configs) {
    const refused = o.refuse ? refusal(config) : null;
    if (refused) throw new AppError("REDIS_VOLATILE", node ? `${refused} (Cluster node ${node})` : refused);
  }
  const warnings: string[] = [];
  for (const { node, config } of configs) {
    for (const warning of assessRedis(config)) {
      warnings.push(node ? `${node}: ${warning}` : warning);
      log.warn({ redis: config, ...(node ? { node } : {}) }, `REDIS CAN LOSE ACCEPTED PROMPTS: ${warning}`);
    }
  }
  return warnings;
}

async function readPersistence(redis: Redis): Promise<RedisPersistence> {
  const get = async (name: string) => ((await redis.config("GET", name)) as string[])[1] ?? "";
  return {
    appendonly: await get("appendonly"),
    appendfsync: await get("appendfsync"),
    maxmemoryPolicy: await get("maxmemory-policy"),
    save: await get("save"),
  };
}

const nodeName = (node: Redis) => `${node.options.host}:${node.options.port}`;
