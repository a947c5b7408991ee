import { Job } from "bullmq";
import { describe, expect, it, vi } from "vitest";
import { createGoogleClassifier } from "../src/classification/google";
import { startEmulator } from "../src/emulator/server";
import { eventIdFor } from "../src/ingest/sampling";
import { createLogger } from "../src/platform/logger";
import { purgeFailed, retryFailed } from "../src/queue/failed";
import { type ClassifyPayload, enqueueClassify } from "../src/queue/jobs";
import { googleError, googleOk } from "./support/google";
import { useStackWithGoogle } from "./support/harness";
import { createStack, LogSink, type Stack, TEST_SECRET, uniqueId, waitFor, withStack } from "./support/stack";

// Every Google answer the worker must handle, through the real client in REST mode.

const ctx = useStackWithGoogle();
const { google } = ctx;

const TEXT = "Please translate this paragraph about the weather into French for my homework";
const send = (requestId: string) => ctx.stack.post({ requestId, model: "m/x", prompt: TEXT }, ctx.key);

const failedCount = async (stack: Stack, reason: string) =>
  (await stack.deps.metrics.jobsFailed.get()).values.find((v) => v.labels.reason === reason)?.value ?? 0;

const payload = (over: Partial<ClassifyPayload> = {}): ClassifyPayload => ({
  text: TEXT,
  chars: TEXT.length,
  model: "m/x",
  promptTokens: null,
  completionTokens: null,
  costUsd: null,
  observedHour: new Date().toISOString(),
  sampleRate: 1,
  source: "live",
  redacted: false,
  textFrom: "prompt",
  ...over,
});

const quota = googleError(429, "RESOURCE_EXHAUSTED", "Quota exceeded for quota metric 'Requests'");
const unavailable = googleError(503, "UNAVAILABLE", "The service is currently unavailable.");
const deadline = googleError(504, "DEADLINE_EXCEEDED", "Deadline exceeded.");
const tooFew = googleError(
  400,
  "INVALID_ARGUMENT",
  "Invalid text content: too few tokens (words) to process.",
);
const language = googleError(
  400,
  "INVALID_ARGUMENT",
  "The language ar is not supported for classify_text analysis.",
);
const invalid = googleError(400, "INVALID_ARGUMENT", "Request contains an invalid argument.");
const translation = googleOk([
  { name: "/Reference/Language Resources/Foreign Language Resources", confidence: 0.88 },
]);

describe("retried until they succeed, losing nothing", () => {
  it.each([
    ["429 quota, twice", [quota, quota]],
    ["503 unavailable, twice", [unavailable, unavailable]],
    ["504 deadline", [deadline]],
    ["a mix", [quota, unavailable, deadline]],
  ])("%s", async (_name, failures) => {
    const requestId = uniqueId();
    google.reply(...failures, translation);
    await send(requestId);
    const event = await ctx.stack.waitForEvent(requestId);
    expect(event).toMatchObject({ outcome: "classified", category: "translation" });
    expect(google.received).toHaveLength(failures.length + 1);
  });

  it("Google not answering at all holds the queue without using the job's attempts", async () => {
    // a real refused connection: the emulator's port, with nothing listening there yet
    const probe = await startEmulator(0);
    await probe.close();
    const port = Number(probe.host.split(":")[1]);
    const classifier = createGoogleClassifier({ emulatorHost: probe.host });
    const requestId = uniqueId();
    await withStack({ env: { JOB_ATTEMPTS: "2" }, classifier }, async (own) => {
      const ownKey = await own.key("ingest");
      await own.post({ requestId, model: "m", prompt: TEXT }, ownKey);
      const holds = () =>
        own.logs.lines.filter((l) => l.includes("google unreachable: holding the queue")).length;
      await waitFor(() => holds() >= 3); // more refusals than JOB_ATTEMPTS allows
      const emulator = await startEmulator(port);
      try {
        expect(await own.waitForEvent(requestId)).toMatchObject({
          outcome: "classified",
          engine: "emulator",
        });
      } finally {
        await emulator.close();
      }
    });
  });

  it("a quota error does not use one of the job's attempts; calls and units are counted", async () => {
    const requestId = uniqueId();
    // more quota errors than JOB_ATTEMPTS allows for transient failures
    await withStack({ env: { JOB_ATTEMPTS: "2" } }, async (own) => {
      const ownKey = await own.key("ingest");
      google.reply(quota, quota, quota, quota, translation);
      await own.post({ requestId, model: "m", prompt: TEXT }, ownKey);
      expect(await own.waitForEvent(requestId)).toMatchObject({ category: "translation" });
      const calls = (await own.deps.metrics.googleCalls.get()).values;
      const count = (result: string) => calls.find((v) => v.labels.result === result)?.value;
      expect([count("quota"), count("ok")]).toEqual([4, 1]);
      // billed: the one answered call, one unit for its 81 characters
      expect((await own.deps.metrics.googleUnits.get()).values).toEqual([
        { labels: { engine: "google" }, value: 1 },
      ]);
    });
  });
});

describe("the quota hold is queue-wide", () => {
  it("after a 429 no worker calls Google until the hold has passed", async () => {
    // two workers on one queue; the first hold is 500-1000 ms with RETRY_BASE_MS=1000
    const env = {
      RETRY_BASE_MS: "1000",
      WORKER_CONCURRENCY: "1",
      QUEUE_PREFIX: `hold${uniqueId("").slice(-8)}`,
    };
    const a = await createStack({ env });
    const b = await createStack({ env });
    try {
      const key = await a.key("ingest");
      const starts: number[] = [];
      let refusedAt = 0;
      google.server.events.on("request:start", () => starts.push(Date.now()));
      google.server.events.on("response:mocked", ({ response }) => {
        if (response.status === 429) refusedAt = Date.now();
      });
      google.reply(quota);
      const first = uniqueId("hold");
      await a.post({ requestId: first, model: "m", prompt: TEXT }, key);
      await waitFor(() => refusedAt > 0);
      const rest = Array.from({ length: 4 }, () => uniqueId("hold"));
      await a.post({ prompts: rest.map((requestId) => ({ requestId, model: "m", prompt: TEXT })) }, key);
      for (const id of [first, ...rest]) await a.waitForEvent(id);
      google.server.events.removeAllListeners();
      expect(starts).toHaveLength(6);
      for (const t of starts.slice(1)) expect(t - refusedAt).toBeGreaterThanOrEqual(500);
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe("final outcomes, stored without labels and not retried", () => {
  it.each([
    ["too few tokens", tooFew, "too_short", null],
    // the language Google refused is kept: the refused share is visible by language
    ["unsupported language", language, "unsupported_language", "ar"],
    ["other INVALID_ARGUMENT", invalid, "invalid", null],
  ])("%s -> %s", async (_name, reply, outcome, lang) => {
    const requestId = uniqueId();
    google.reply(reply);
    await send(requestId);
    const event = await ctx.stack.waitForEvent(requestId);
    expect(event).toMatchObject({ outcome, category: "others", language: lang });
    expect(event.labels).toEqual([]);
    expect(google.received).toHaveLength(1);
  });

  it("labels all under the threshold give a classified event in others with no tags", async () => {
    const requestId = uniqueId();
    google.reply(googleOk([{ name: "/Games/Roleplaying Games", confidence: 0.2 }]));
    await send(requestId);
    const event = await ctx.stack.waitForEvent(requestId);
    expect(event).toMatchObject({ outcome: "classified", category: "others" });
    expect(event.labels).toEqual([]);
  });

  it("a path missing from config maps to others and is counted", async () => {
    const requestId = uniqueId();
    const before = (await ctx.stack.deps.metrics.unknownPaths.get()).values[0]?.value ?? 0;
    google.reply(googleOk([{ name: "/Brand New/Category", confidence: 0.9 }]));
    await send(requestId);
    const event = await ctx.stack.waitForEvent(requestId);
    expect(event).toMatchObject({ category: "others" });
    expect(event.labels).toEqual([
      { path: "/Brand New/Category", confidence: 0.9, tag: "unknown-path", category: "others" },
    ]);
    expect((await ctx.stack.deps.metrics.unknownPaths.get()).values[0]?.value).toBe(before + 1);
  });
});

describe("transient errors that never end", () => {
  it("fail the job after JOB_ATTEMPTS, keep it for `census queue retry`, count it; a retry stores it", async () => {
    const own = await createStack({ env: { JOB_ATTEMPTS: "3" } });
    try {
      const ownKey = await own.key("ingest");
      const requestId = uniqueId();
      google.reply(unavailable, unavailable, unavailable);
      await own.post({ requestId, model: "m", prompt: TEXT }, ownKey);
      await waitFor(async () => (await failedCount(own, "attempts_exhausted")) === 1);
      const job = await own.deps.queue.getJob(eventIdFor(TEST_SECRET, requestId));
      expect(await job?.getState()).toBe("failed");
      expect(await own.event(requestId)).toBeUndefined();
      expect(google.received).toHaveLength(3);

      expect(await retryFailed(own.deps.queue)).toBe(1);
      expect(await own.waitForEvent(requestId)).toMatchObject({ category: "translation" });
      expect(google.received).toHaveLength(4);
    } finally {
      await own.close();
    }
  });
});

describe("removals", () => {
  it("`census queue purge` logs and counts what it removes, for every process's /metrics", async () => {
    const own = await createStack({ env: { JOB_ATTEMPTS: "1" } });
    try {
      const ownKey = await own.key("ingest");
      google.reply(unavailable, unavailable);
      for (const requestId of [uniqueId(), uniqueId()])
        await own.post({ requestId, model: "m", prompt: TEXT }, ownKey);
      await waitFor(async () => (await failedCount(own, "attempts_exhausted")) === 2);
      const cliLog = new LogSink();
      expect(await purgeFailed(own.deps.queue, own.deps.redis, createLogger("warn", cliLog))).toBe(2);
      expect(JSON.parse(cliLog.lines[0] ?? "{}")).toMatchObject({
        code: "JOBS_REMOVED",
        reason: "purged",
        count: 2,
      });
      // another process of the same deployment (the API) sees the CLI's removal
      const api = await createStack({ worker: false, env: { QUEUE_PREFIX: own.env.QUEUE_PREFIX } });
      try {
        const metrics = await api.deps.metrics.registry.metrics();
        expect(metrics).toContain('census_jobs_removed_total{reason="purged"} 2');
      } finally {
        await api.close();
      }
    } finally {
      await own.close();
    }
  });
});

describe("a write Postgres refuses for its data", () => {
  it("is final after one Google call: dropped, counted, and its text gone from Redis", async () => {
    // The ingest schema refuses a NUL in `model`; a job that bypassed it (an older producer, a
    // hand-made job) must still not be retried JOB_ATTEMPTS times, each paying Google.
    const eventId = `data-rejected-${uniqueId()}`;
    await enqueueClassify(
      ctx.stack.deps.queue,
      [{ eventId, payload: payload({ model: "bad\u0000model" }) }],
      30,
      ctx.stack.deps.sealer,
    );
    await waitFor(async () => (await failedCount(ctx.stack, "data_rejected")) === 1);
    await waitFor(async () => (await ctx.stack.deps.queue.getJob(eventId)) === undefined);
    expect(google.received).toEqual([TEXT]);
    expect(ctx.stack.logs.text()).toContain('"code":"JOBS_REMOVED"');
    await waitFor(async () =>
      (await ctx.stack.deps.metrics.registry.metrics()).includes(
        'census_jobs_removed_total{reason="dropped"} 1',
      ),
    );
    const { rows } = await ctx.stack.deps.pool.query("SELECT 1 FROM prompt_events WHERE id = $1", [eventId]);
    expect(rows).toHaveLength(0);
  });

  it("keeps no text, sealed or clear, even when removing the dropped job fails", async () => {
    const remove = vi.spyOn(Job.prototype, "remove").mockRejectedValue(new Error("Redis went away"));
    try {
      const eventId = `data-rejected-${uniqueId()}`;
      await enqueueClassify(
        ctx.stack.deps.queue,
        [{ eventId, payload: payload({ model: "bad\u0000model" }) }],
        30,
        ctx.stack.deps.sealer,
      );
      await waitFor(
        async () => (await ctx.stack.deps.queue.getJob(eventId))?.failedReason === "DATA_REJECTED",
      );
      const data = JSON.parse(
        (await ctx.stack.deps.redis.hget(ctx.stack.deps.queue.toKey(eventId), "data")) ?? "{}",
      );
      expect(data).toMatchObject({ text: "" });
      expect(data).not.toHaveProperty("sealed");
    } finally {
      remove.mockRestore();
    }
  });
});

describe("a write that loses its connection", () => {
  it("holds the queue without using attempts and retries only the write: one Google call", async () => {
    const own = await createStack({ env: { JOB_ATTEMPTS: "2" } });
    try {
      const ownKey = await own.key("ingest");
      // the first four event writes meet a dropped connection, as in a Postgres restart
      const query = own.deps.pool.query.bind(own.deps.pool);
      let refused = 0;
      own.deps.pool.query = ((text: unknown, ...rest: unknown[]) => {
        if (typeof text === "string" && text.includes("INSERT INTO prompt_events") && refused < 4) {
          refused += 1;
          return Promise.reject(Object.assign(new Error("Connection terminated unexpectedly"), {}));
        }
        return (query as (...a: unknown[]) => unknown)(text, ...rest);
      }) as typeof own.deps.pool.query;
      const requestId = uniqueId();
      await own.post({ requestId, model: "m", prompt: TEXT }, ownKey);
      expect(await own.waitForEvent(requestId)).toMatchObject({ category: "translation" });
      expect(refused).toBe(4);
      expect(google.received).toEqual([TEXT]);
      expect(own.logs.text()).toContain("postgres unavailable: holding the queue");
    } finally {
      await own.close();
    }
  });
});

describe("credentials refused", () => {
  it.each([
    ["401", googleError(401, "UNAUTHENTICATED", "API key not valid.")],
    ["403", googleError(403, "PERMISSION_DENIED", "Cloud Natural Language API has not been used in project")],
  ])("%s pauses the worker, logs loudly and keeps the job queued", async (_name, reply) => {
    await withStack({}, async (own) => {
      const ownKey = await own.key("ingest");
      const requestId = uniqueId();
      google.reply(reply, reply, reply);
      await own.post({ requestId, model: "m", prompt: TEXT }, ownKey);
      await waitFor(() => own.worker?.worker.isPaused() === true);
      const job = await own.deps.queue.getJob(eventIdFor(TEST_SECRET, requestId));
      expect(job).toBeDefined();
      // handed back to the queue once the hold is set
      await waitFor(async () => /wait|prioritized|delayed/.test((await job?.getState()) ?? ""));
      expect(job?.attemptsMade).toBe(0);
      expect(google.received).toHaveLength(1); // it stopped after the first refusal
      expect(own.logs.lines.some((l) => l.includes('"level":60') && l.includes("CREDENTIALS"))).toBe(true);
      expect(await own.event(requestId)).toBeUndefined();
    });
  });
});
