import { describe, expect, it } from "vitest";
import {
  type CensusClient,
  type CensusItem,
  createCensusClient,
  itemFromChat,
  itemFromPrompt,
  rejectedOf,
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

      // under the operator's floor (1e-6): the client's own check lets it by, the service refuses it
      client.record({ ...item(1, uniqueId("low")), sampleRate: 1e-7 });
      await client.flush();
      expect(client.stats().dropped.rejected).toBe(1);
      expect(errors.at(-1)).toMatch(
        /^prompt-census refused item low-.*-1: prompts\.0\.sampleRate: must be at least 0\.000001.* rejected$/,
      );
      expect(accounted(client)).toBe(true);
    } finally {
      await client.close();
      await http.close();
      await stack.close();
    }
  });

  it("a batch of 500 with 3 invalid items: 497 events stored, the 3 named by index", async () => {
    const stack = ctx.stack;
    const http = await startHttp(stack.deps, 0);
    try {
      const tag = uniqueId("mixed");
      const prompts: unknown[] = Array.from({ length: 500 }, (_, i) => item(i, tag));
      prompts[7] = { ...item(7, tag), createdAt: new Date(Date.now() + 3 * 86_400_000).toISOString() };
      prompts[250] = { ...item(250, tag), model: "gpt\u00005" };
      prompts[499] = { requestId: `${tag}-499`, model: "m" }; // no text
      const res = await fetch(`http://127.0.0.1:${http.port}/v1/prompts`, {
        method: "POST",
        headers: { authorization: `Bearer ${ctx.key}`, "content-type": "application/json" },
        body: JSON.stringify({ prompts }),
      });
      expect(res.status).toBe(202);
      const body = (await res.json()) as {
        accepted: number;
        rejected: { index: number; errors: { path: string }[] }[];
      };
      expect(body).toMatchObject({ accepted: 497, sampled: 497 });
      expect(body.rejected.map((r) => r.index)).toEqual([7, 250, 499]);
      expect(body.rejected.map((r) => r.errors[0]?.path)).toEqual([
        "prompts.7.createdAt",
        "prompts.250.model",
        "prompts.499.prompt",
      ]);
      await waitForCount(() => stored(stack, tag, 500), 497);
    } finally {
      await http.close();
    }
  });

  it("the client refuses 3 invalid items of 500 at record() and sends the 497 others", async () => {
    const stack = ctx.stack;
    const http = await startHttp(stack.deps, 0);
    const refused: string[] = [];
    const client = createCensusClient({
      url: `http://127.0.0.1:${http.port}`,
      key: ctx.key,
      ...FAST,
      onError: (_e, info) => refused.push(`${info.requestId} ${info.problems?.[0]}`),
    });
    try {
      const tag = uniqueId("local");
      const bad = new Map<number, CensusItem>([
        [7, { ...item(7, tag), createdAt: new Date(Date.now() + 3 * 86_400_000).toISOString() }],
        [250, { ...item(250, tag), model: "gpt\u00005" }],
        [499, { requestId: `${tag}-499`, model: "m" }],
      ]);
      for (let i = 0; i < 500; i++) expect(client.record(bad.get(i) ?? item(i, tag))).toBe(!bad.has(i));
      expect(refused).toEqual([
        `${tag}-7 createdAt: must be between 2000-01-01 and one day from now`,
        `${tag}-250 model: must not contain control characters`,
        `${tag}-499 prompt: give exactly one of \`prompt\` or \`messages\``,
      ]);
      await client.flush();
      expect(client.stats()).toMatchObject({ sent: 497, dropped: { rejected: 3 } });
      expect(accounted(client)).toBe(true);
      await waitForCount(() => stored(stack, tag, 500), 497);
    } finally {
      await client.close();
      await http.close();
    }
  });

  it("the service refuses items one by one: each is counted, no neighbour is lost", async () => {
    const stack = ctx.stack;
    const http = await startHttp(stack.deps, 0);
    const client = createCensusClient({ url: `http://127.0.0.1:${http.port}`, key: ctx.key, ...FAST });
    try {
      const tag = uniqueId("floor");
      // 1e-7 passes the client's check (the schema's 1e-9) but not the operator's floor (1e-6)
      for (let i = 0; i < 300; i++)
        client.record(i % 100 === 3 ? { ...item(i, tag), sampleRate: 1e-7 } : item(i, tag));
      await client.flush();
      expect(client.stats()).toMatchObject({ sent: 297, batches: 1, dropped: { rejected: 3 } });
      expect(accounted(client)).toBe(true);
      await waitForCount(() => stored(stack, tag, 300), 297);
    } finally {
      await client.close();
      await http.close();
    }
  });

  it("a service that refuses a batch whole (400): the client halves it until only the bad item is dropped", async () => {
    const posted: number[] = [];
    const sent = new Set<string>();
    const strict: typeof fetch = async (_input, init) => {
      const { prompts } = JSON.parse(String(init?.body)) as { prompts: CensusItem[] };
      posted.push(prompts.length);
      if (prompts.some((p) => p.requestId === "old-13")) return new Response("{}", { status: 400 });
      for (const p of prompts) sent.add(p.requestId);
      return new Response("{}", { status: 202 });
    };
    const client = createCensusClient({ url: "http://x", key: "k", fetch: strict, ...FAST });
    for (let i = 0; i < 100; i++) client.record(item(i, "old"));
    await client.flush();
    expect(client.stats()).toMatchObject({ sent: 99, dropped: { rejected: 1 } });
    expect(sent.size).toBe(99);
    expect(sent.has("old-13")).toBe(false);
    expect(posted.length).toBeLessThanOrEqual(1 + 2 * Math.ceil(Math.log2(100))); // halving, not one by one
    await client.close();
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

  it.each<[string, string, number, { index: number; problems: string[] }[]]>([
    ["none refused", '{"accepted":2,"rejected":[]}', 2, []],
    ["an older service, no rejected field", '{"accepted":2}', 2, []],
    ["not JSON", "<html>", 2, []],
    [
      "one refused, with its field errors",
      '{"rejected":[{"index":1,"detail":"d","errors":[{"path":"prompts.1.model","message":"bad"}]}]}',
      2,
      [{ index: 1, problems: ["prompts.1.model: bad"] }],
    ],
    [
      "no errors: the detail",
      '{"rejected":[{"index":0,"detail":"nope"}]}',
      1,
      [{ index: 0, problems: ["nope"] }],
    ],
    [
      "indexes outside the batch, repeated or not integers are ignored",
      '{"rejected":[{"index":5},{"index":-1},{"index":0.5},{"index":"0"},{"index":0},{"index":0}]}',
      2,
      [{ index: 0, problems: ["refused"] }],
    ],
  ])("a 202's rejected: %s", (_name, body, size, expected) => {
    expect(rejectedOf(body, size)).toEqual(expected);
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
