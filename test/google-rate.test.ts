import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { createGoogleRate, limiterFor } from "../src/classification/google-rate";
import { createClassifyQueue } from "../src/queue/jobs";
import { TEST_REDIS_URL } from "./support/urls";

// GOOGLE_QPM's call slots, on a real Redis: a fixed window of `max` calls shared by every worker.

async function withRate(
  qpm: number,
  run: (r: ReturnType<typeof createGoogleRate>, redis: Redis, key: string) => Promise<void>,
) {
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  const queue = createClassifyQueue(redis, "classify", `rate${randomBytes(4).toString("hex")}`);
  const key = queue.toKey("google-calls");
  try {
    await run(createGoogleRate(queue, qpm), redis, key);
  } finally {
    await redis.del(key, queue.toKey("limiter"));
    await queue.close();
    redis.disconnect();
  }
}

describe("Google call slots", () => {
  it("grants max slots a window, then tells how long to wait", async () => {
    await withRate(600, async (rate) => {
      const { max, duration } = limiterFor(600);
      for (let i = 0; i < max; i++) expect(await rate.tryAcquire()).toBe(0);
      const wait = await rate.tryAcquire();
      expect(wait).toBeGreaterThan(0);
      expect(wait).toBeLessThanOrEqual(duration);
    });
  });

  it("never grants a slot without counting it, even in a window's last millisecond", async () => {
    // Redis's PTTL reads 0 in the last millisecond; it once read as "granted", and under load
    // the waiters woken at a window's end took 3-14% more calls than GOOGLE_QPM
    await withRate(60_000, async (rate, redis, key) => {
      for (let round = 0; round < 5; round++) {
        await redis.set(key, "1000000", "PX", 20); // this window is spent
        let wait: number;
        do wait = await rate.tryAcquire();
        while (wait > 0);
        // the slot came from a fresh window: the counter was reset and counts this call
        expect(await redis.get(key)).toBe("1");
        expect(await redis.pttl(key)).toBeGreaterThan(0);
        await redis.del(key);
      }
    });
  });

  it("a hold stops calls for at least its length, and never shortens a window", async () => {
    await withRate(600, async (rate, redis, key) => {
      expect(await rate.hold(3000)).toBe(3000);
      expect(await rate.tryAcquire()).toBeGreaterThan(2000);
      expect(await rate.hold(10)).toBeGreaterThan(2000); // the longer one stands
      expect(await redis.pttl(key)).toBeGreaterThan(2000);
    });
  });
});
