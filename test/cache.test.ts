import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { cacheKey, createCacheStore } from "../src/classification/cache";
import { googleError, googleOk } from "./support/google";
import { useStackWithGoogle } from "./support/harness";
import { createStack, type Stack, TEST_SECRET, uniqueId, waitFor } from "./support/stack";

// Google is paid once per distinct text: the classification cache on real Postgres, Google faked.

const ctx = useStackWithGoogle({ env: { CLASSIFY_CACHE_TTL: "7d" } });
const { google } = ctx;
const text = (label: string) =>
  `Write a Python function that ${label} and explain its complexity ${randomBytes(4).toString("hex")}`;

async function post(stack: Stack, key: string, items: { requestId: string; prompt: string }[]) {
  const res = await stack.post({ prompts: items.map((i) => ({ ...i, model: "m/x", sampleRate: 1 })) }, key);
  expect(res.status).toBe(202);
  return Promise.all(items.map((i) => stack.waitForEvent(i.requestId)));
}

describe("the classification cache", () => {
  it("replaying the same texts under new request ids makes no Google call and stores identical categories", async () => {
    const texts = ["sorts a list", "parses json", "merges two maps", "reverses a string", "counts words"].map(
      text,
    );
    const first = await post(
      ctx.stack,
      ctx.key,
      texts.map((prompt) => ({ requestId: uniqueId("first"), prompt })),
    );
    expect(google.received).toHaveLength(5);
    google.reset();
    const again = await post(
      ctx.stack,
      ctx.key,
      texts.map((prompt) => ({ requestId: uniqueId("again"), prompt })),
    );
    expect(google.received).toEqual([]);
    const shape = (e: Record<string, unknown> & { labels: unknown[] }) => ({
      category: e.category,
      language: e.language,
      outcome: e.outcome,
      labels: e.labels,
    });
    expect(again.map(shape)).toEqual(first.map(shape));
    expect(first.map((e) => e.answer_source)).toEqual(Array(5).fill("google"));
    expect(again.map((e) => e.answer_source)).toEqual(Array(5).fill("cache"));
    const avoided = (await ctx.stack.deps.metrics.googleCallsAvoided.get()).values;
    expect(avoided.find((v) => v.labels.reason === "cache")?.value).toBeGreaterThanOrEqual(5);
  });

  it("keeps Google's whole answer, so a lower threshold later sees the labels the first one dropped", async () => {
    const prompt = text("plans a trip");
    google.reply(
      googleOk([
        { name: "/Computers & Electronics/Programming/Other", confidence: 0.8 },
        { name: "/Travel & Transportation/Other", confidence: 0.4 },
      ]),
    );
    const [first] = await post(ctx.stack, ctx.key, [{ requestId: uniqueId(), prompt }]);
    expect(first?.labels).toHaveLength(1);
    const low = await createStack({ env: { CLASSIFY_CACHE_TTL: "7d", CONFIDENCE_THRESHOLD: "0.3" } });
    try {
      google.reset();
      const [again] = await post(low, await low.key("ingest"), [{ requestId: uniqueId(), prompt }]);
      expect(google.received).toEqual([]);
      expect(again?.labels.map((l) => l.path)).toEqual([
        "/Computers & Electronics/Programming/Other",
        "/Travel & Transportation/Other",
      ]);
    } finally {
      await low.close();
    }
  });

  it("remembers Google's refusals too: a too-short text is refused once", async () => {
    const prompt = text("is too short for Google");
    google.reply(
      googleError(400, "INVALID_ARGUMENT", "Invalid text content: too few tokens (words) to process."),
    );
    await post(ctx.stack, ctx.key, [{ requestId: uniqueId(), prompt }]);
    google.reset();
    const [again] = await post(ctx.stack, ctx.key, [{ requestId: uniqueId(), prompt }]);
    expect(google.received).toEqual([]);
    expect(again).toMatchObject({ outcome: "too_short", answer_source: "cache" });
  });

  it("concurrent jobs with the same text share one call, in one worker and across workers", async () => {
    const prompt = text("is asked by many at once");
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    google.reply(async (content) => {
      await gate;
      return googleOk([{ name: "/Computers & Electronics/Programming/Other", confidence: 0.9 }])(content);
    });
    // a second worker on the same queue: different processor, so it can only meet the first
    // through the cache's lease in Postgres
    const other = await createStack({
      env: { CLASSIFY_CACHE_TTL: "7d", QUEUE_PREFIX: ctx.stack.env.QUEUE_PREFIX },
    });
    try {
      const items = Array.from({ length: 10 }, () => ({ requestId: uniqueId("same"), prompt }));
      const res = await ctx.stack.post(
        { prompts: items.map((i) => ({ ...i, model: "m/x", sampleRate: 1 })) },
        ctx.key,
      );
      expect(res.status).toBe(202);
      await waitFor(() => google.received.length === 1);
      // both workers hold some of the jobs, all waiting on the one call
      await waitFor(async () => (await ctx.stack.deps.queue.getActiveCount()) >= 5);
      release();
      const events = await Promise.all(items.map((i) => ctx.stack.waitForEvent(i.requestId)));
      expect(google.received).toHaveLength(1);
      expect(events.map((e) => e.category)).toEqual(Array(10).fill("programming"));
      expect(events.filter((e) => e.answer_source === "google")).toHaveLength(1);
    } finally {
      release();
      await other.close();
    }
  });

  it("GOOGLE_QPM limits calls, not jobs: cache hits do not wait for a spent quota", async () => {
    // One a minute: the first job spends a window of ~61 s (limiterFor). A cache hit that waited
    // for a call slot would hold the queue still for that long, past waitForEvent's stall window
    // (30 s); hits that do not wait are stored however slowly a loaded machine runs them.
    const slow = await createStack({ env: { CLASSIFY_CACHE_TTL: "7d", GOOGLE_QPM: "1" } });
    try {
      const key = await slow.key("ingest");
      const prompt = text("is asked again and again");
      google.reset();
      await post(slow, key, [{ requestId: uniqueId(), prompt }]);
      const items = Array.from({ length: 30 }, () => ({ requestId: uniqueId("hot"), prompt }));
      const res = await slow.post(
        { prompts: items.map((i) => ({ ...i, model: "m/x", sampleRate: 1 })) },
        key,
      );
      expect(res.status).toBe(202);
      const events = await Promise.all(items.map((i) => slow.waitForEvent(i.requestId)));
      expect(events.map((e) => e.answer_source)).toEqual(Array(30).fill("cache"));
      expect(google.received).toEqual([prompt]);
    } finally {
      await slow.close();
    }
  });

  it("CLASSIFY_CACHE_TTL=0 turns it off: every job asks Google", async () => {
    const off = await createStack({ env: { CLASSIFY_CACHE_TTL: "0" } });
    try {
      const key = await off.key("ingest");
      const prompt = text("is not cached");
      google.reset();
      await post(off, key, [{ requestId: uniqueId(), prompt }]);
      await post(off, key, [{ requestId: uniqueId(), prompt }]);
      expect(google.received).toEqual([prompt, prompt]);
    } finally {
      await off.close();
    }
  });

  it("MIN_WORDS records shorter texts too_short without a call", async () => {
    const short = await createStack({ env: { MIN_WORDS: "3" } });
    try {
      google.reset();
      const [event] = await post(short, await short.key("ingest"), [
        { requestId: uniqueId(), prompt: "hi there" },
      ]);
      expect(event).toMatchObject({ outcome: "too_short", answer_source: "skipped", category: "others" });
      expect(google.received).toEqual([]);
    } finally {
      await short.close();
    }
  });

  it("expired entries are not served, and the sweep deletes them", async () => {
    const store = createCacheStore(ctx.stack.deps.pool, 3600);
    const key = cacheKey(TEST_SECRET, "google", text("expires"));
    await store.put(key, { outcome: "classified", labels: [], language: "en" });
    expect(await store.get(key)).toBeDefined();
    await ctx.stack.deps.pool.query(
      "UPDATE classify_cache SET expires_at = now() - interval '1 second' WHERE key = $1",
      [key],
    );
    expect(await store.get(key)).toBeUndefined();
    expect(await store.sweep()).toBeGreaterThanOrEqual(1);
    const { rows } = await ctx.stack.deps.pool.query("SELECT 1 FROM classify_cache WHERE key = $1", [key]);
    expect(rows).toHaveLength(0);
  });

  it("a worker's store keeps hits in memory, never past the entry's own expiry", async () => {
    const pool = ctx.stack.deps.pool;
    let queries = 0;
    const counted = {
      query: (sql: string, params?: unknown[]) => {
        queries += 1;
        return pool.query(sql, params);
      },
    } as unknown as typeof pool;
    const store = createCacheStore(counted, 1, 3_600_000); // entries live 1 s, hits are kept 1 h
    const key = cacheKey(TEST_SECRET, "google", text("is remembered"));
    await store.put(key, { outcome: "classified", labels: [], language: "en" });
    expect(await store.get(key)).toBeDefined();
    const after = queries;
    expect(await store.get(key)).toBeDefined();
    expect(queries).toBe(after); // the hit came from memory
    // expired in Postgres: not served from memory either
    await waitFor(async () => (await store.get(key)) === undefined);
  });

  it("a lease lives while its holder renews it and lapses when the holder is gone", async () => {
    const store = createCacheStore(ctx.stack.deps.pool, 3600);
    const key = cacheKey(TEST_SECRET, "google", text("is leased"));
    const secondsLeft = async () =>
      Number(
        (
          await ctx.stack.deps.pool.query<{ s: string }>(
            "SELECT extract(epoch FROM expires_at - now()) AS s FROM classify_cache WHERE key = $1",
            [key],
          )
        ).rows[0]?.s,
      );
    expect(await store.lease(key)).toBe(true);
    expect(await store.lease(key)).toBe(false); // another worker waits
    expect(await secondsLeft()).toBeLessThanOrEqual(store.leaseMs / 1000);
    await ctx.stack.deps.pool.query(
      "UPDATE classify_cache SET expires_at = now() + interval '1 second' WHERE key = $1",
      [key],
    );
    await store.renew(key);
    expect(await secondsLeft()).toBeGreaterThan(store.leaseMs / 1000 - 2);
    // the holder died: no renewal, the lease runs out, and the next worker may ask
    await ctx.stack.deps.pool.query(
      "UPDATE classify_cache SET expires_at = now() - interval '1 second' WHERE key = $1",
      [key],
    );
    expect(await store.lease(key)).toBe(true);
    await store.release(key);
  });
});
