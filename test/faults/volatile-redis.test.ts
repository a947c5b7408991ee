import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { spawnCensus } from "../support/processes";
import { BACKSTOP_MS } from "../support/progress";
import { TEST_SECRET } from "../support/stack";
import { TEST_DATABASE_URL } from "../support/urls";
import { type RedisProcess, startRedis } from "./support/processes";

// `census api` with NODE_ENV=production on a private redis-server set up the way that loses
// accepted prompts: it refuses to start, with one line naming appendonly, unless
// ALLOW_VOLATILE_REDIS=1. A Redis that refuses CONFIG (managed) is not refused.

function api(redis: RedisProcess, extra: Record<string, string> = {}) {
  return spawnCensus(["api"], {
    env: {
      ...process.env,
      NODE_ENV: "production",
      HOST: "127.0.0.1",
      PORT: "0",
      DATABASE_URL: TEST_DATABASE_URL,
      REDIS_URL: redis.url,
      HMAC_SECRET: TEST_SECRET,
      QUEUE_PREFIX: `v${randomBytes(4).toString("hex")}`,
      LOG_LEVEL: "info",
      ...extra,
    },
  });
}

type Census = ReturnType<typeof spawnCensus>;

/** Runs `fn` with a private redis-server; every `census` it started is killed at the end. */
async function withRedis(
  args: string[],
  fn: (redis: RedisProcess, started: (p: Census) => Census) => Promise<void>,
) {
  const redis = await startRedis(args);
  const processes: Census[] = [];
  try {
    await fn(redis, (p) => {
      processes.push(p);
      return p;
    });
  } finally {
    await Promise.all(processes.map((p) => p.stop("SIGKILL")));
    await redis.close();
  }
}

/** The exit code of a command that must refuse to start; a failure once it listens instead. (No
 * deadline: a loaded machine starts it slowly, and only listening tells "started" from "slow".) */
async function exitCode(p: Census): Promise<number | null> {
  const exited = () => p.child.exitCode !== null || p.child.signalCode !== null;
  const listens = p.waitForOutput('"msg":"api listening"').then(
    () => Promise.reject(new Error(`it started instead:\n${p.output()}`)),
    (err) => (exited() ? p.exited : Promise.reject(err)),
  );
  return Promise.race([p.exited, listens]);
}

/** The output's lines that are not pino's JSON: what the command printed for a person. */
const plainLines = (out: string) =>
  out
    .split("\n")
    .filter((l) => l.trim() !== "" && !l.startsWith("{"))
    .map((l) => l.trim());

describe("NODE_ENV=production and a Redis that can lose accepted prompts", () => {
  it(
    "AOF off: refused with one line naming appendonly; ALLOW_VOLATILE_REDIS=1 starts",
    async () => {
      await withRedis(["--appendonly", "no"], async (redis, started) => {
        const refused = started(api(redis));
        expect(await exitCode(refused)).not.toBe(0);
        const lines = plainLines(refused.output());
        expect(lines).toHaveLength(1);
        expect(lines[0]).toMatch(
          /^REDIS_VOLATILE: Refusing to start: NODE_ENV=production and Redis runs with appendonly no,/,
        );
        expect(refused.output()).not.toContain('"msg":"api listening"');

        const allowed = started(api(redis, { ALLOW_VOLATILE_REDIS: "1" }));
        await allowed.listening();
        expect(allowed.output()).toContain("REDIS CAN LOSE ACCEPTED PROMPTS: appendonly is off");
        expect(await allowed.stop("SIGTERM")).toBe(0);
      });
    },
    BACKSTOP_MS,
  );

  it(
    "an eviction policy is refused too, and the line still says what to set",
    async () => {
      await withRedis(["--maxmemory-policy", "allkeys-lru"], async (redis, started) => {
        const refused = started(api(redis));
        expect(await exitCode(refused)).not.toBe(0);
        // BullMQ prints a line of its own about eviction ("IMPORTANT! Eviction policy is ...")
        const lines = plainLines(refused.output()).filter((l) => !l.startsWith("IMPORTANT!"));
        expect(lines).toHaveLength(1);
        expect(lines[0]).toContain("maxmemory-policy allkeys-lru");
        expect(lines[0]).toContain("Set appendonly yes and maxmemory-policy noeviction");
      });
    },
    BACKSTOP_MS,
  );

  it(
    "a Redis that refuses CONFIG (a managed one) is not refused: the check says it could not run",
    async () => {
      await withRedis(["--appendonly", "no", "--rename-command", "CONFIG", ""], async (redis, started) => {
        const managed = started(api(redis));
        await managed.listening();
        expect(managed.output()).toContain("Redis refused CONFIG GET (a managed Redis?)");
        expect(await managed.stop("SIGTERM")).toBe(0);
      });
    },
    BACKSTOP_MS,
  );
});
