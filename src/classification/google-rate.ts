import type { Redis } from "ioredis";
import type { ClassifyQueue } from "../queue/jobs";

// Google's quota, shared by every worker of the queue through two Redis keys.
//
// Calls: GOOGLE_QPM limits Google calls, not jobs, so a job answered by the cache (or the
// pre-skip) never waits for quota, and a worker with a hot cache runs as fast as Postgres
// lets it. Before each call a worker takes a slot in a fixed window (`max` calls per `duration`
// ms, as limiterFor computes them); with none left it waits for the window to end.
//
// Holds (quota, Google unreachable, Postgres down) stop both the calls and BullMQ's own job
// fetching, so no worker takes new jobs or calls Google until the hold ends. BullMQ's limiter is
// configured very high: it exists only so these holds stop fetching.

/**
 * Spread a per-minute quota evenly: `max` requests per `duration` ms. A window starts at
 * the first call after the last one ended, and a window's calls go out together at its start, so
 * a sliding window can catch the start of one more window than it spans, and calls reach Google
 * with a few tens of ms of jitter: windows 2% longer than the quota's share keep every 10-second
 * (and every minute) window within `qpm`, for 2% of it.
 */
export function limiterFor(qpm: number): { max: number; duration: number } {
  const max = Math.max(1, Math.floor(qpm / 60));
  return { max, duration: Math.ceil(((60_000 * max) / qpm) * 1.02) };
}

/** BullMQ honours a hold only with a limiter set; this one never limits anything else. */
export const JOB_LIMITER = { max: 1_000_000, duration: 1000 };

const ACQUIRE = `
local used = tonumber(redis.call("GET", KEYS[1]) or "0")
if used >= tonumber(ARGV[1]) then
  local left = redis.call("PTTL", KEYS[1])
  if left < 0 then
    redis.call("PEXPIRE", KEYS[1], ARGV[2])
    left = tonumber(ARGV[2])
  end
  -- PTTL says 0 in a window's last millisecond: 0 means "granted", so wait at least 1 ms
  if left < 1 then left = 1 end
  return left
end
if redis.call("INCR", KEYS[1]) == 1 then redis.call("PEXPIRE", KEYS[1], ARGV[2]) end
return 0`;

// A hold never ends before the window it replaces would have: a short hold that cut a window
// short let a fresh one begin after it (under a 429 storm calls reached 1.9x GOOGLE_QPM).
const HOLD = `
local ms = tonumber(ARGV[1])
for i, key in ipairs(KEYS) do
  local left = redis.call("PTTL", key)
  if left > ms then ms = left end
end
for i, key in ipairs(KEYS) do redis.call("SET", key, ARGV[2], "PX", ms) end
return ms`;

export function createGoogleRate(
  queue: ClassifyQueue,
  qpm: number,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
) {
  const { max, duration } = limiterFor(qpm);
  const calls = queue.toKey("google-calls");
  const jobs = queue.toKey("limiter");
  // the queue's client is the ioredis connection it was created with (createClassifyQueue)
  const client = async () => (await queue.client) as unknown as Redis;
  return {
    /** Takes a call slot if one is left: 0 when taken, else the ms until the window ends. */
    async tryAcquire(): Promise<number> {
      return Number(await (await client()).eval(ACQUIRE, 1, calls, max, duration));
    },
    /** Waits for a call slot; resolves when this worker may call Google. */
    async acquire(): Promise<void> {
      for (;;) {
        const wait = await this.tryAcquire();
        if (wait <= 0) return;
        await sleep(wait);
      }
    },
    /** Holds calls and job fetching for every worker, for at least `ms`; returns the hold. */
    async hold(ms: number): Promise<number> {
      const held = Math.max(1, Math.round(ms));
      return Number(await (await client()).eval(HOLD, 2, calls, jobs, held, Number.MAX_SAFE_INTEGER));
    },
  };
}

export type GoogleRate = ReturnType<typeof createGoogleRate>;
