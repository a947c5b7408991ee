import { Writable } from "node:stream";
import { type Job, RateLimitError } from "bullmq";
import type pg from "pg";
import { describe, expect, it } from "vitest";
import { AppError } from "../platform/errors";
import { createLogger } from "../platform/logger";
import { createMetrics } from "../platform/metrics";
import type { ClassifyJobData } from "../queue/jobs";
import { createSealer } from "../queue/sealed";
import { loadTaxonomy } from "../taxonomy/load";
import type { CacheStore } from "./cache";
import { ClassifierError } from "./classifier";
import { createProcessor, type ProcessorDeps } from "./processor";

// A Redis outage met by the processor's own Redis calls (a call slot, a queue hold): logged as
// Redis, and the job handed back (RateLimitError) without using an attempt. No I/O: Redis and
// Google are stand-ins that fail the way ioredis and the client do.

const redisGone = () =>
  new AppError("REDIS_UNAVAILABLE", undefined, {
    cause: new Error("Stream isn't writeable and enableOfflineQueue options is false"),
  });

function setup(o: {
  acquireCall?: () => Promise<void>;
  rateLimit?: () => Promise<void>;
  quota?: boolean;
  cache?: CacheStore;
  writeEvent?: ProcessorDeps["writeEvent"];
}) {
  const lines: string[] = [];
  const log = createLogger(
    "info",
    new Writable({
      write(chunk, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    }),
  );
  const deps: ProcessorDeps = {
    pool: {} as pg.Pool, // never reached: every case ends before the write
    classifier: {
      engine: "emulator",
      classify: async () => {
        if (o.quota) throw new ClassifierError("quota", "429 RESOURCE_EXHAUSTED");
        return { labels: [], language: "en" };
      },
      close: async () => {},
    },
    taxonomy: loadTaxonomy("study-2025"),
    threshold: 0.5,
    metrics: createMetrics(),
    log,
    retryBaseMs: 1,
    retryMaxMs: 4,
    rateLimit: o.rateLimit ?? (async () => {}),
    acquireCall: o.acquireCall ?? (async () => {}),
    onAuthFailure: () => {},
    secret: "s".repeat(32),
    sealer: createSealer("s".repeat(32), []),
    minWords: 0,
    cache: o.cache,
    writeEvent: o.writeEvent,
  };
  const data: ClassifyJobData = {
    text: "Explain how a hash map works",
    chars: 28,
    model: "m",
    promptTokens: null,
    completionTokens: null,
    costUsd: null,
    observedHour: "2026-01-01T00:00:00.000Z",
    sampleRate: 1,
    source: "live",
    redacted: false,
    textFrom: "prompt",
  };
  const updates: unknown[] = [];
  const job = {
    id: "job-1",
    data,
    updateData: async (d: unknown) => {
      updates.push(d);
    },
  } as unknown as Job<ClassifyJobData>;
  const slept: number[] = [];
  const processor = createProcessor(deps, async (ms) => {
    slept.push(ms);
  });
  return { run: () => processor(job), lines, slept, updates };
}

describe("the processor when Redis is gone", () => {
  it.each([
    [
      "no call slot: Redis refuses the slot's script",
      { acquireCall: async () => Promise.reject(redisGone()) },
    ],
    [
      "Google's quota is out and the queue-wide hold cannot be set",
      { quota: true, rateLimit: async () => Promise.reject(redisGone()) },
    ],
  ])("%s: the job goes back without an attempt, logged as Redis", async (_name, o) => {
    const s = setup(o);
    await expect(s.run()).rejects.toBeInstanceOf(RateLimitError);
    const text = s.lines.join("");
    expect(text).toContain("redis unavailable");
    expect(text).not.toContain("postgres unavailable");
    expect(s.slept.length).toBe(1); // it waited before handing the job back: no spinning
  });

  it("a Postgres outage is still a Postgres outage", async () => {
    const s = setup({
      acquireCall: async () =>
        Promise.reject(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" })),
    });
    // not through the Redis wrapper: as an error of the cache's Postgres reaches the processor
    await expect(s.run()).rejects.toBeInstanceOf(RateLimitError);
    expect(s.lines.join("")).toContain("postgres unavailable");
  });
});

describe("what a job keeps in Redis", () => {
  const written = async () => true;
  const cacheWith = (hit: boolean) =>
    ({
      get: async () => (hit ? { outcome: "classified", labels: [], language: "en" } : undefined),
      lease: async () => true,
      renew: async () => {},
      put: async () => {},
      release: async () => {},
    }) as unknown as CacheStore;

  it("Google's answer is kept with the job before the write: a retry does not pay again", async () => {
    const s = setup({ cache: cacheWith(false), writeEvent: written });
    await expect(s.run()).resolves.toMatchObject({ outcome: "classified" });
    expect(s.updates).toEqual([
      expect.objectContaining({ answer: expect.objectContaining({ source: "google" }) }),
    ]);
  });

  it("a cached answer is not: finding it again costs nothing, a Redis round trip per job does", async () => {
    const s = setup({ cache: cacheWith(true), writeEvent: written });
    await expect(s.run()).resolves.toMatchObject({ outcome: "classified" });
    expect(s.updates).toEqual([]);
  });
});
