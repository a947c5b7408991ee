import type { Redis } from "ioredis";
import type { Logger } from "./logger";

// BullMQ keeps every accepted prompt in Redis until it is stored: Redis is this service's
// durability. What it must be set to, and what is lost otherwise, is in docs/reliability.md.

export interface RedisPersistence {
  appendonly: string;
  appendfsync: string;
  maxmemoryPolicy: string;
  save: string;
}

/** Pure: one warning per setting that can lose accepted work or put prompt text on disk. */
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
      `RDB snapshots are on (save "${c.save}"): each snapshot writes the text of waiting jobs to dump.rdb. With AOF on, set save "".`,
    );
  }
  return warnings;
}

/** Reads the settings once at start-up and logs loudly what is unsafe; managed Redis may refuse CONFIG. */
export async function checkRedisDurability(redis: Redis, log: Logger): Promise<string[]> {
  let config: RedisPersistence;
  try {
    const get = async (name: string) => ((await redis.config("GET", name)) as string[])[1] ?? "";
    config = {
      appendonly: await get("appendonly"),
      appendfsync: await get("appendfsync"),
      maxmemoryPolicy: await get("maxmemory-policy"),
      save: await get("save"),
    };
  } catch {
    log.warn(
      "Redis refused CONFIG GET (a managed Redis?): cannot check its persistence. It must keep AOF on (appendfsync everysec) and maxmemory-policy noeviction, or accepted prompts can be lost (docs/reliability.md).",
    );
    return [];
  }
  const warnings = assessRedis(config);
  for (const warning of warnings) log.warn({ redis: config }, `REDIS CAN LOSE ACCEPTED PROMPTS: ${warning}`);
  return warnings;
}
