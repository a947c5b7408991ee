import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { BACKSTOP_MS } from "../support/progress";
import { startFaultStack } from "./support/fault-stack";

// Job texts are sealed before they reach Redis: with jobs waiting, no Redis key and no byte of
// the AOF (which records every payload as sent) holds a prompt.

/** Every value of every key, whatever its type, as Redis returns it. */
async function everything(redis: Redis): Promise<string> {
  const out: string[] = [];
  for (const key of await redis.keys("*")) {
    const type = await redis.type(key);
    const value =
      type === "string"
        ? await redis.get(key)
        : type === "hash"
          ? await redis.hgetall(key)
          : type === "list"
            ? await redis.lrange(key, 0, -1)
            : type === "set"
              ? await redis.smembers(key)
              : type === "zset"
                ? await redis.zrange(key, 0, -1)
                : type === "stream"
                  ? await redis.xrange(key, "-", "+")
                  : null;
    out.push(key, JSON.stringify(value));
  }
  return out.join("\n");
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe("Redis at rest", () => {
  it(
    "holds only ciphertext while jobs wait: no canary in any key or in the AOF, and the worker still stores every one",
    async () => {
      const s = await startFaultStack();
      const redis = new Redis(s.redis.url, { maxRetriesPerRequest: null });
      try {
        const canary = `CANARY${randomBytes(6).toString("hex")}`;
        const phrase = "merges two sorted lists"; // in every prompt the stack posts
        const items = Array.from({ length: 200 }, (_, i) => ({
          requestId: `rest-${canary}-${i}`,
          model: "openai/gpt-5",
          sampleRate: 1,
          prompt: `My name is ${canary} and my card is in the drawer; write code that ${phrase}, case ${i}`,
        }));
        expect((await s.postItems(items)).status).toBe(202);
        expect(await s.deps.queue.getWaitingCount()).toBe(200); // no worker yet: all of them wait

        const keys = await everything(redis);
        expect(keys).toContain("sealed"); // the job hashes are there...
        expect(keys).not.toContain(canary); // ...with no text in them
        expect(keys).not.toContain(phrase);

        await redis.call("CONFIG", "SET", "appendfsync", "always"); // what was written is on disk
        await redis.set("fsync-marker", "1");
        const files = filesUnder(s.redis.dir);
        const aof = files.filter((f) => f.includes("appendonly")).map((f) => readFileSync(f, "latin1"));
        expect(aof.join("").length).toBeGreaterThan(10_000); // the payloads were written...
        expect(aof.join("")).toContain("sealed");
        for (const file of files) {
          const bytes = readFileSync(file, "latin1");
          expect(bytes).not.toContain(canary); // ...as ciphertext
          expect(bytes).not.toContain(phrase);
        }

        const worker = s.worker();
        const { stored } = await s.drainedTo(200, Date.now());
        expect(stored).toBe(200);
        await worker.kill("SIGTERM");
      } finally {
        redis.disconnect();
        await s.close();
      }
    },
    BACKSTOP_MS,
  );
});
