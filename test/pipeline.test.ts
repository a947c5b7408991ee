import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { presentIds } from "../src/ingest/enqueue";
import { planItem } from "../src/ingest/plan";
import { eventIdFor, isSampled } from "../src/ingest/sampling";
import { googleOk } from "./support/google";
import { useStackWithGoogle } from "./support/harness";
import { waitForCount } from "./support/progress";
import { createStack, json, type Stack, TEST_SECRET, uniqueId, waitFor } from "./support/stack";

const ctx = useStackWithGoogle();
const { google } = ctx;

const CODE_PROMPT = "Write a TypeScript function that debounces another function and explain the closure";
const PLAN = { secret: TEST_SECRET, sampleRate: 1, maxChars: 1000, redact: false, source: "live" as const };

describe("post -> worker -> rows", () => {
  it("stores one anonymous event with its labels, mapped to the study taxonomy", async () => {
    const requestId = uniqueId();
    google.reply(
      googleOk([
        { name: "/Computers & Electronics/Programming/Other", confidence: 0.93 },
        { name: "/Computers & Electronics/Programming/Development Tools", confidence: 0.61 },
        { name: "/Jobs & Education/Education/Other", confidence: 0.31 },
      ]),
    );
    const res = await ctx.stack.post(
      {
        requestId,
        prompt: CODE_PROMPT,
        model: "anthropic/claude-sonnet-4.5",
        promptTokens: 120,
        completionTokens: 800,
        costUsd: 0.0123,
        createdAt: "2025-06-02T14:37:12Z",
      },
      ctx.key,
    );
    expect(res.status).toBe(202);
    expect(await json(res)).toEqual({ accepted: 1, sampled: 1, skipped: 0, duplicates: 0, rejected: [] });

    const event = await ctx.stack.waitForEvent(requestId);
    expect(event).toMatchObject({
      id: eventIdFor(TEST_SECRET, requestId),
      model: "anthropic/claude-sonnet-4.5",
      prompt_tokens: "120", // bigint: node-postgres returns it as a string
      completion_tokens: "800",
      cost_usd: "0.0123000000",
      sample_rate: 1,
      source: "live",
      language: "en",
      engine: "google",
      outcome: "classified",
      category: "programming",
      mapping_version: ctx.stack.deps.taxonomy.version,
      char_count: CODE_PROMPT.length,
    });
    expect((event.observed_hour as Date).toISOString()).toBe("2025-06-02T14:00:00.000Z");
    // below-threshold label dropped; the two kept are stored as tags
    expect(event.labels).toEqual([
      {
        path: "/Computers & Electronics/Programming/Other",
        confidence: 0.93,
        tag: "programming-other",
        category: "programming",
      },
      {
        path: "/Computers & Electronics/Programming/Development Tools",
        confidence: 0.61,
        tag: "development-tools",
        category: "programming",
      },
    ]);
    expect(google.received).toEqual([CODE_PROMPT]);
  });

  it("joins chat messages' text parts and truncates to 1,000 code points before queueing", async () => {
    const requestId = uniqueId();
    const long = "😀".repeat(600); // 600 code points, 1,200 UTF-16 units each half
    const res = await ctx.stack.post(
      {
        prompts: [
          {
            requestId,
            model: "openai/gpt-5",
            messages: [
              { role: "system", content: "You are a poet who writes a poem every day" },
              {
                role: "user",
                content: [
                  { type: "image_url", image_url: { url: "https://example.invalid/x.png" } },
                  { type: "text", text: long },
                  { type: "text", text: long },
                ],
              },
            ],
          },
        ],
      },
      ctx.key,
    );
    expect(res.status).toBe(202);
    const event = await ctx.stack.waitForEvent(requestId);
    expect(event.char_count).toBe(1000);
    const sent = google.received[0] ?? "";
    expect(Array.from(sent)).toHaveLength(1000);
    expect(sent.startsWith("You are a poet who writes a poem every day\n\n😀")).toBe(true);
    expect(sent.endsWith("😀")).toBe(true); // no half pair at the cut
  });

  it("counts duplicates in a batch, in the queue and in the table, and stores one row", async () => {
    const requestId = uniqueId();
    const item = { requestId, prompt: CODE_PROMPT, model: "m/x" };
    const first = await ctx.stack.post({ prompts: [item, item, { ...item, model: "m/y" }] }, ctx.key);
    expect(await json(first)).toEqual({ accepted: 3, sampled: 1, skipped: 0, duplicates: 2, rejected: [] });
    await ctx.stack.waitForEvent(requestId);
    await ctx.stack.drained();
    // BullMQ has removed the completed job; the table still knows the event
    const again = await ctx.stack.post(item, ctx.key);
    expect(await json(again)).toEqual({ accepted: 1, sampled: 0, skipped: 0, duplicates: 1, rejected: [] });
    const { rows } = await ctx.stack.deps.pool.query(
      "SELECT count(*)::int AS n FROM prompt_events WHERE id = $1",
      [eventIdFor(TEST_SECRET, requestId)],
    );
    expect(rows[0].n).toBe(1);
    expect(google.received).toHaveLength(1);
  });

  it("finds a stored event in its own month or the month after, where a resend without createdAt lands; a backfill's anywhere before", async () => {
    const requestId = uniqueId();
    google.reply(googleOk([{ name: "/Computers & Electronics/Programming/Other", confidence: 0.9 }]));
    const item = { requestId, prompt: CODE_PROMPT, model: "m/x", createdAt: "2025-06-02T14:37:12Z" };
    await ctx.stack.post(item, ctx.key);
    await ctx.stack.waitForEvent(requestId);
    await ctx.stack.drained();
    const eventId = eventIdFor(TEST_SECRET, requestId);
    const present = async (observedHour: string, source: "live" | "backfill" = "live") => {
      const planned = planItem(item, { ...PLAN, source, now: new Date() });
      if (!planned.sampled) throw new Error("not sampled");
      const job = { eventId, payload: { ...planned.payload, observedHour } };
      return (await presentIds([job], ctx.stack.deps.ingest)).has(eventId);
    };
    expect(await present("2025-06-02T14:00:00.000Z")).toBe(true); // the same request again
    expect(await present("2025-07-31T23:00:00.000Z")).toBe(true); // its resend a month on
    expect(await present("2025-08-01T00:00:00.000Z")).toBe(false); // past a live post's window
    expect(await present("2026-03-01T00:00:00.000Z", "backfill")).toBe(true); // a log run again
  });

  it("concurrent posts share the door's look-ups: each prompt queued once, its repeats counted as duplicates wherever they came", async () => {
    const shared = [uniqueId(), uniqueId()];
    const own = Array.from({ length: 20 }, () => [uniqueId(), uniqueId(), uniqueId()]);
    const answers = await Promise.all(
      own.map(async (ids) => {
        const prompts = [...ids, ...shared].map((requestId) => ({
          requestId,
          prompt: CODE_PROMPT,
          model: "m/x",
        }));
        return json(await ctx.stack.post({ prompts }, ctx.key));
      }),
    );
    const sum = (k: string) => answers.reduce((n, a) => n + Number(a[k]), 0);
    expect({ sampled: sum("sampled"), duplicates: sum("duplicates") }).toEqual({
      sampled: 62,
      duplicates: 38,
    });
    const ids = [...own.flat(), ...shared].map((id) => eventIdFor(TEST_SECRET, id));
    await ctx.stack.drained();
    const { rows } = await ctx.stack.deps.pool.query(
      "SELECT count(*)::int AS n, count(DISTINCT id)::int AS d FROM prompt_events WHERE id = ANY($1)",
      [ids],
    );
    expect(rows[0]).toEqual({ n: 62, d: 62 });
  });

  it("a flush that holds one prompt from two requests queues it once, for the first of them", async () => {
    const job = (requestId: string) => {
      const planned = planItem(
        { requestId, prompt: CODE_PROMPT, model: "m/x" },
        { ...PLAN, now: new Date() },
      );
      if (!planned.sampled) throw new Error("not sampled");
      return planned;
    };
    const [a, b, c, shared] = [job(uniqueId()), job(uniqueId()), job(uniqueId()), job(uniqueId())];
    const { enqueue } = ctx.stack.deps.ingest;
    // the first flushes at once; the next two arrive while it runs and share the second flush
    const fates = await Promise.all([enqueue([a]), enqueue([b, shared]), enqueue([shared, c])]);
    expect(fates).toEqual([["queued"], ["queued", "queued"], ["present", "queued"]]);
    await ctx.stack.drained();
  });

  it("an empty, invisible or image-only item is accepted and skipped, not sent to Google", async () => {
    const res = await ctx.stack.post(
      {
        prompts: [
          { requestId: uniqueId(), model: "m", prompt: "   " },
          { requestId: uniqueId(), model: "m", prompt: "\u200B\u200C\u200D\uFEFF\u2060" },
          { requestId: uniqueId(), model: "m", prompt: "\u0000\u0000\u0000" },
          {
            requestId: uniqueId(),
            model: "m",
            messages: [{ role: "user", content: [{ type: "image_url" }] }],
          },
        ],
      },
      ctx.key,
    );
    expect(await json(res)).toEqual({ accepted: 4, sampled: 0, skipped: 4, duplicates: 0, rejected: [] });
    expect(google.received).toEqual([]);
  });
});

describe("sampling at ingest", () => {
  let sampler: Stack;
  beforeAll(async () => {
    sampler = await createStack({ env: { SAMPLE_RATE: "0.25" }, worker: false });
  });
  afterAll(() => sampler.close());

  it("samples by keyed hash at SAMPLE_RATE, takes router-sampled items as is, and records the rate", async () => {
    const ingestKey = await sampler.key("ingest");
    const items = Array.from({ length: 400 }, (_, i) => ({
      requestId: uniqueId(`s${i}`),
      model: "m",
      prompt: CODE_PROMPT,
    }));
    const routerSampled = {
      requestId: uniqueId("router"),
      model: "m",
      prompt: CODE_PROMPT,
      sampleRate: 0.001,
    };
    const body = await json(await sampler.post({ prompts: [...items, routerSampled] }, ingestKey));
    expect(body.accepted).toBe(401);
    expect(body.sampled + body.skipped).toBe(401);
    // 400 draws at p = 0.25: mean 100, sd ~8.7
    expect(body.sampled - 1).toBeGreaterThan(60);
    expect(body.sampled - 1).toBeLessThan(140);

    const jobs = await sampler.deps.queue.getJobs(["wait", "prioritized"]);
    expect(jobs).toHaveLength(body.sampled);
    const rates = new Map(jobs.map((j) => [j.id, j.data.sampleRate]));
    expect(rates.get(eventIdFor(TEST_SECRET, routerSampled.requestId))).toBe(0.001);
    expect([...rates.values()].filter((r) => r === 0.25)).toHaveLength(body.sampled - 1);
    // the same post again samples exactly the same items (now all duplicates)
    const again = await json(await sampler.post({ prompts: items }, ingestKey));
    expect(again).toEqual({
      accepted: 400,
      sampled: 0,
      skipped: 400 - (body.sampled - 1),
      duplicates: body.sampled - 1,
      rejected: [],
    });
  });

  it("a batch with nothing in the sample is answered and counted as skipped", async () => {
    const ingestKey = await sampler.key("ingest");
    const outside = Array.from({ length: 200 }, (_, i) => uniqueId(`o${i}`))
      .filter((id) => !isSampled(TEST_SECRET, id, 0.25))
      .slice(0, 20)
      .map((requestId) => ({ requestId, model: "m", prompt: CODE_PROMPT }));
    const count = async (result: string) =>
      (await sampler.deps.metrics.ingestItems.get()).values.find(
        (v) => v.labels.result === result && v.labels.source === "live",
      )?.value ?? 0;
    const before = { skipped: await count("skipped"), sampled: await count("sampled") };
    const body = await json(await sampler.post({ prompts: outside }, ingestKey));
    expect(body).toEqual({ accepted: 20, sampled: 0, skipped: 20, duplicates: 0, rejected: [] });
    expect(await count("skipped")).toBe(before.skipped + 20);
    expect(await count("sampled")).toBe(before.sampled);
  });

  it("puts no more than MAX_CHARS code points and no request id into Redis", async () => {
    const ingestKey = await sampler.key("ingest");
    const requestId = uniqueId("redis-check");
    await sampler.post({ requestId, model: "m", prompt: "x".repeat(50_000), sampleRate: 1 }, ingestKey);
    const id = eventIdFor(TEST_SECRET, requestId);
    const job = await sampler.deps.queue.getJob(id);
    expect(job?.data.text).toBeUndefined(); // sealed: no text in clear
    expect(sampler.deps.sealer.open(job?.data.sealed ?? "", id)).toHaveLength(1000);
    expect(JSON.stringify(job?.data)).not.toContain(requestId);
    expect(JSON.stringify(job?.data)).not.toContain("xxxxxxxx");
  });
});

describe("graceful shutdown", () => {
  it("finishes in-flight jobs before the worker closes", async () => {
    const own = await createStack({ worker: true });
    try {
      const ingestKey = await own.key("ingest");
      const requestId = uniqueId("inflight");
      let release!: () => void;
      const gate = new Promise<void>((r) => {
        release = r;
      });
      google.reply(async () => {
        await gate;
        return googleOk([{ name: "/Games/Roleplaying Games", confidence: 0.8 }])("");
      });
      await own.post(
        { requestId, model: "m", prompt: "stay in character as my dungeon master tonight", sampleRate: 1 },
        ingestKey,
      );
      await waitFor(() => google.received.length === 1); // the job is inside its Google call
      let closed = false;
      const closing = own.worker?.close().then(() => {
        closed = true;
      });
      // Time for a close() that did not wait to finish: it needs a few Redis round trips to quit
      // its connections, so many round trips of our own outlast it, however loaded the machine.
      for (let i = 0; i < 50; i++) await own.deps.redis.ping();
      expect(closed).toBe(false); // close() waits for the job...
      release();
      await closing;
      // ...which finished, and was stored, before close() returned
      expect(await own.event(requestId)).toMatchObject({ category: "roleplay" });
    } finally {
      await own.close();
    }
  });
});

describe("GOOGLE_QPM", () => {
  it("spaces Google calls across workers: never more than the limiter's share in any window", async () => {
    // 120 per minute = 2 per second; two workers on one queue share it
    const env = { GOOGLE_QPM: "120", QUEUE_PREFIX: `qpm${uniqueId("").slice(-8)}` };
    const a = await createStack({ env });
    const b = await createStack({ env });
    try {
      const key = await a.key("ingest");
      const times: number[] = [];
      google.server.events.on("request:start", () => times.push(Date.now()));
      const prompts = Array.from({ length: 8 }, () => ({
        requestId: uniqueId("qpm"),
        model: "m",
        prompt: CODE_PROMPT,
        sampleRate: 1,
      }));
      await a.post({ prompts }, key);
      await waitForCount(
        async () => (await Promise.all(prompts.map((p) => a.event(p.requestId)))).filter(Boolean).length,
        prompts.length,
      );
      google.server.events.removeAllListeners("request:start");
      expect(times).toHaveLength(8);
      // BullMQ's window is 1 s with max 2: in any second there can be at most 2 (+2 at a window's edge)
      for (const t of times)
        expect(times.filter((u) => u >= t && u < t + 1000).length).toBeLessThanOrEqual(4);
      expect((times.at(-1) ?? 0) - (times[0] ?? 0)).toBeGreaterThanOrEqual(2500); // 8 calls need 3+ windows
    } finally {
      await a.close();
      await b.close();
    }
  });
});
