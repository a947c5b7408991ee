import { describe, expect, it } from "vitest";
import {
  type CensusClient,
  createCensusClient,
  itemFromChat,
  itemFromPrompt,
  retryAfterMs,
  sampleFraction,
} from "../src/client/index";
import { eventIdFor } from "../src/ingest/sampling";
import { promptItemSchema } from "../src/ingest/schema";
import { startHttp } from "../src/runtime";
import { freePort } from "./faults/support/processes";
import { useStackWithGoogle } from "./support/harness";
import { waitForCount } from "./support/progress";
import { createStack, type Stack, TEST_SECRET, uniqueId, waitFor } from "./support/stack";

// The router client against the real server: up, down, slow, answering 503; never blocking the
// caller, memory bounded, nothing lost within the retry window, every loss counted.

const ctx = useStackWithGoogle(); // a worker, and Google faked by msw

const FAST = { retryBaseMs: 20, retryMaxMs: 200, flushIntervalMs: 50 };
const item = (i: number, tag: string) =>
  itemFromPrompt(`Write a Python function that sorts a list, case ${i}`, {
    requestId: `${tag}-${i}`,
    model: "openai/gpt-5",
  });

/** Sent, dropped and sampled out add up to every item recorded. */
function accounted(client: CensusClient) {
  const s = client.stats();
  const dropped = Object.values(s.dropped).reduce((a, b) => a + b, 0);
  return s.sent + dropped + s.sampledOut + client.pending() === s.recorded;
}

async function stored(stack: Stack, tag: string, n: number) {
  const ids = Array.from({ length: n }, (_, i) => eventIdFor(TEST_SECRET, `${tag}-${i}`));
  const { rows } = await stack.deps.pool.query(
    "SELECT count(*)::int AS n FROM prompt_events WHERE id = ANY($1)",
    [ids],
  );
  return rows[0].n as number;
}

describe("the router client", () => {
  it("against the real server: every recorded item is stored once, in batches", async () => {
    const stack = ctx.stack;
    const http = await startHttp(stack.deps, 0);
    const client = createCensusClient({
      url: `http://127.0.0.1:${http.port}`,
      key: ctx.key,
      batchSize: 100,
      ...FAST,
    });
    try {
      const tag = uniqueId("client");
      for (let i = 0; i < 350; i++) expect(client.record(item(i, tag))).toBe(true);
      await client.flush();
      expect(client.stats()).toMatchObject({ sent: 350, batches: 4, retries: 0 });
      await waitForCount(() => stored(stack, tag, 350), 350);
      expect(accounted(client)).toBe(true);
    } finally {
      await client.close();
      await http.close();
    }
  });

  it("record() never waits for the network: it returns a boolean, and no request starts inside it", async () => {
    let inside = false;
    let startedInside = 0;
    let requests = 0;
    const never = () => {
      requests++;
      if (inside) startedInside++;
      return new Promise<Response>(() => {}); // a server that never answers
    };
    const client = createCensusClient({ url: "http://x", key: "k", batchSize: 10, fetch: never, ...FAST });
    const micros: number[] = [];
    for (let i = 0; i < 5000; i++) {
      inside = true;
      const t = process.hrtime.bigint();
      const r = client.record(item(i, "sync"));
      micros.push(Number(process.hrtime.bigint() - t) / 1000);
      inside = false;
      expect(typeof r).toBe("boolean");
    }
    await waitFor(() => requests > 0);
    expect(startedInside).toBe(0);
    micros.sort((a, b) => a - b);
    console.log(`[client] record(): p50 ${micros[2500]?.toFixed(1)} µs, max ${micros.at(-1)?.toFixed(1)} µs`);
    await client.close(50);
    expect(accounted(client)).toBe(true);
  });

  it("with the service down for the whole test: memory stays bounded and every drop is counted", async () => {
    const port = await freePort(); // nothing listens there
    const client = createCensusClient({
      url: `http://127.0.0.1:${port}`,
      key: "k",
      maxQueued: 1000,
      batchSize: 100,
      ...FAST,
    });
    let most = 0;
    for (let i = 0; i < 50_000; i++) {
      client.record(item(i, "down"));
      most = Math.max(most, client.pending());
    }
    await waitFor(() => client.stats().retries >= 3);
    expect(most).toBeLessThanOrEqual(1000);
    expect(client.stats().dropped.queue_full).toBeGreaterThanOrEqual(49_000);
    await client.close(100);
    const s = client.stats();
    expect(s.sent).toBe(0);
    expect(Object.values(s.dropped).reduce((a, b) => a + b, 0)).toBe(50_000);
    expect(client.pending()).toBe(0);
  });

  it("the service comes back within the retry window: nothing is lost", async () => {
    const stack = ctx.stack;
    const port = await freePort();
    const client = createCensusClient({
      url: `http://127.0.0.1:${port}`,
      key: ctx.key,
      ...FAST,
      retryForMs: 60_000,
    });
    let http: Awaited<ReturnType<typeof startHttp>> | undefined;
    try {
      const tag = uniqueId("back");
      for (let i = 0; i < 200; i++) client.record(item(i, tag));
      await waitFor(() => client.stats().retries >= 3); // it is down, and the client keeps trying
      http = await startHttp(stack.deps, port);
      await client.flush();
      expect(client.stats()).toMatchObject({ sent: 200, dropped: { retries_exhausted: 0, queue_full: 0 } });
      await waitForCount(() => stored(stack, tag, 200), 200);
    } finally {
      await client.close();
      await http?.close();
    }
  });

  it("a 503 (or 429) is retried, honouring Retry-After; a 400 is dropped and counted, not retried", async () => {
    const stack = await createStack({ worker: false });
    const http = await startHttp(stack.deps, 0);
    const key = await stack.key("ingest");
    let refusals = 2;
    const waits: number[] = [];
    let last = Date.now();
    const flaky: typeof fetch = async (input, init) => {
      waits.push(Date.now() - last);
      last = Date.now();
      if (refusals-- > 0) return new Response("busy", { status: 503, headers: { "retry-after": "0.3" } });
      return fetch(input, init);
    };
    const errors: string[] = [];
    const client = createCensusClient({
      url: `http://127.0.0.1:${http.port}`,
      key,
      fetch: flaky,
      ...FAST,
      onError: (e, info) => errors.push(`${e.message} ${info.willRetry ? "retry" : info.reason}`),
    });
    try {
      client.record(item(0, uniqueId("flaky")));
      await client.flush();
      expect(client.stats()).toMatchObject({ sent: 1, retries: 2 });
      expect(Math.min(...waits.slice(1))).toBeGreaterThanOrEqual(290); // Retry-After, not 20 ms
      expect(errors).toEqual(["prompt-census answered 503 retry", "prompt-census answered 503 retry"]);

      client.record({ requestId: "bad", model: "m" }); // no text: the service says 400
      await client.flush();
      expect(client.stats().dropped.rejected).toBe(1);
      expect(errors.at(-1)).toBe("prompt-census answered 400 rejected");
      expect(accounted(client)).toBe(true);
    } finally {
      await client.close();
      await http.close();
      await stack.close();
    }
  });

  it("a slow service: record() stays free, and batches wait their turn within maxQueued", async () => {
    let answered = 0;
    const slow: typeof fetch = async () => {
      await new Promise((r) => setTimeout(r, 300));
      answered++;
      return new Response("{}", { status: 202 });
    };
    const client = createCensusClient({
      url: "http://x",
      key: "k",
      fetch: slow,
      batchSize: 50,
      maxQueued: 200,
      ...FAST,
    });
    for (let i = 0; i < 1000; i++) client.record(item(i, "slow"));
    expect(client.pending()).toBeLessThanOrEqual(200);
    await client.flush();
    expect(answered).toBeGreaterThan(0);
    expect(client.stats().sent + client.stats().dropped.queue_full).toBe(1000);
    await client.close();
  });

  it("samples at the edge, the same way for a retried request, and says its rate", async () => {
    const sent: unknown[] = [];
    const capture: typeof fetch = async (_input, init) => {
      sent.push(...JSON.parse(String(init?.body)).prompts);
      return new Response("{}", { status: 202 });
    };
    const client = createCensusClient({
      url: "http://x",
      key: "k",
      sampleRate: 0.1,
      fetch: capture,
      ...FAST,
    });
    let kept = 0;
    for (let i = 0; i < 10_000; i++) if (client.record(item(i, "edge"))) kept++;
    expect(kept).toBeGreaterThan(850);
    expect(kept).toBeLessThan(1150);
    expect(client.record(item(7, "edge"))).toBe(sampleFraction("edge-7") < 0.1); // stable per id
    await client.close();
    expect(sent.every((p) => (p as { sampleRate: number }).sampleRate === 0.1)).toBe(true);
    expect(client.stats().sampledOut).toBe(10_001 - client.stats().sent);
  });
});

describe("client helpers", () => {
  it("an OpenAI-style chat request and response make an item the service accepts", () => {
    const item = itemFromChat(
      {
        model: "openai/gpt-5",
        messages: [
          { role: "system", content: "You are a helpful assistant." },
          { role: "user", content: [{ type: "text", text: "Translate 'hello' to French" }] },
        ],
      },
      { model: "openai/gpt-5-2025-08-07", usage: { prompt_tokens: 21, completion_tokens: 5 } },
      { requestId: "gen-123", costUsd: 0.0001, createdAt: new Date("2026-11-30T10:00:00Z") },
    );
    expect(item).toMatchObject({
      requestId: "gen-123",
      model: "openai/gpt-5-2025-08-07",
      promptTokens: 21,
      completionTokens: 5,
      costUsd: 0.0001,
      createdAt: "2026-11-30T10:00:00.000Z",
    });
    expect(promptItemSchema.safeParse(item).success).toBe(true);
    expect(
      promptItemSchema.safeParse(itemFromPrompt("hi there", { requestId: "r", model: "m" })).success,
    ).toBe(true);
  });

  it.each([
    ["2", 2000],
    ["0", 0],
    [null, undefined],
    ["soon", undefined],
    [new Date(Date.UTC(2026, 0, 1, 0, 0, 5)).toUTCString(), 5000],
  ])("Retry-After %s is %s ms", (header, ms) => {
    expect(retryAfterMs(header, Date.UTC(2026, 0, 1))).toBe(ms);
  });
});
