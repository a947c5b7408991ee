import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashKey, revokeApiKey } from "../src/auth/keys";
import { apiKeys } from "../src/db/schema";
import { createStack, json, type Stack, uniqueId, waitFor } from "./support/stack";
import { TEST_DATABASE_URL } from "./support/urls";

// Auth and bad-input matrix: every failure is a 4xx problem+json, never a 500, and nothing is queued.

let stack: Stack;
let ingest: string;

beforeAll(async () => {
  stack = await createStack({ worker: false });
  ingest = await stack.key("ingest");
});
afterAll(() => stack.close());

const good = () => ({
  requestId: uniqueId(),
  model: "m/x",
  prompt: "Explain the difference between TCP and UDP in simple words",
});

async function expectProblem(res: Response, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  const body = await json(res);
  expect(body).toMatchObject({
    status,
    code,
    type: expect.stringContaining("/problems/"),
    title: expect.any(String),
  });
  expect(body.requestId).toMatch(/^[0-9a-f-]{36}$/);
  return body;
}

async function queued() {
  const c = await stack.deps.queue.getJobCounts("wait", "prioritized", "active", "delayed");
  return Object.values(c).reduce((a, b) => a + b, 0);
}

describe("auth", () => {
  it.each([
    ["no header", {}],
    ["not bearer", { authorization: "Basic abc" }],
    ["unknown key", { authorization: "Bearer pc_notarealkeyatall" }],
    ["malformed key", { authorization: "Bearer hello" }],
  ])("%s -> 401", async (_name, headers) => {
    const res = await stack.app.request("/v1/prompts", {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(good()),
    });
    await expectProblem(res, 401, "UNAUTHORIZED");
  });

  it("a revoked key -> 401 on a running API once its cache entry expires (KEY_CACHE_TTL_MS)", async () => {
    const own = await createStack({ worker: false, env: { KEY_CACHE_TTL_MS: "300" } });
    try {
      const key = await own.key("ingest");
      expect((await own.post(good(), key)).status).toBe(202); // now cached as valid
      const [mine] = await own.deps.db
        .select()
        .from(apiKeys)
        .where(eq(apiKeys.keyHash, hashKey(key)));
      expect(await revokeApiKey(own.deps.db, mine?.id ?? "")).toBe(true);
      await waitFor(async () => (await own.post(good(), key)).status === 401);
      await expectProblem(await own.post(good(), key), 401, "UNAUTHORIZED");
    } finally {
      await own.close();
    }
  });

  it.each([["read"], ["ingest"], ["admin"]] as const)("scope %s", async (scope) => {
    const key = await stack.key(scope);
    const res = await stack.post(good(), key);
    if (scope === "read") await expectProblem(res, 403, "FORBIDDEN");
    else expect(res.status).toBe(202);
  });

  it("keys presented in turn are each verified as themselves", async () => {
    const [read, admin] = [await stack.key("read"), await stack.key("admin")];
    const scopes = async (key: string) => (await stack.deps.verifyKey(key))?.scopes ?? null;
    for (let i = 0; i < 3; i++) {
      expect(await scopes(read)).toEqual(["read"]);
      expect(await scopes(admin)).toEqual(["admin"]);
      expect(await scopes(`${read.slice(0, -1)}x`)).toBeNull();
    }
  });

  it("stores only a hash of the key", async () => {
    const key = await stack.key("ingest");
    const { rows } = await stack.deps.pool.query("SELECT * FROM api_keys");
    expect(JSON.stringify(rows)).not.toContain(key);
  });
});

describe("bad input", () => {
  it.each([
    ["malformed JSON", '{"requestId": ', 400, "MALFORMED_JSON"],
    ["JSON but not an object", "[1,2,3]", 400, "VALIDATION_FAILED"],
    ["empty body", "", 400, "MALFORMED_JSON"],
    ["invalid UTF-8", Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), 400, "MALFORMED_JSON"],
  ])("%s -> %i %s", async (_name, body, status, code) => {
    const before = await queued();
    const res = await stack.app.request("/v1/prompts", {
      method: "POST",
      headers: { authorization: `Bearer ${ingest}`, "content-type": "application/json" },
      body,
    });
    await expectProblem(res, status, code);
    expect(await queued()).toBe(before);
  });

  it.each([
    ["missing requestId", { model: "m", prompt: "hello there friend" }, ["requestId"]],
    ["missing model", { requestId: "r", prompt: "hello there friend" }, ["model"]],
    ["both prompt and messages", { requestId: "r", model: "m", prompt: "x", messages: [] }, ["prompt"]],
    ["neither prompt nor messages", { requestId: "r", model: "m" }, ["prompt"]],
    ["negative tokens", { requestId: "r", model: "m", prompt: "x", promptTokens: -1 }, ["promptTokens"]],
    ["bad createdAt", { requestId: "r", model: "m", prompt: "x", createdAt: "yesterday" }, ["createdAt"]],
    ["sampleRate above 1", { requestId: "r", model: "m", prompt: "x", sampleRate: 2 }, ["sampleRate"]],
    // poison items that were once accepted, then failed the insert on every retry
    [
      "promptTokens 2^31",
      { requestId: "r", model: "m", prompt: "x", promptTokens: 2 ** 31 },
      ["promptTokens"],
    ],
    [
      "completionTokens 1e12",
      { requestId: "r", model: "m", prompt: "x", completionTokens: 1e12 },
      ["completionTokens"],
    ],
    ["costUsd 1e10", { requestId: "r", model: "m", prompt: "x", costUsd: 1e10 }, ["costUsd"]],
    ["NUL in model", { requestId: "r", model: "gpt\u0000-5", prompt: "x" }, ["model"]],
    ["newline in model", { requestId: "r", model: "gpt\n5", prompt: "x" }, ["model"]],
    [
      "createdAt in year 10000",
      { requestId: "r", model: "m", prompt: "x", createdAt: "9999-12-31T23:59:59-23:59" },
      ["createdAt"],
    ],
    [
      "createdAt in year 0",
      { requestId: "r", model: "m", prompt: "x", createdAt: "0000-01-01T00:00:00Z" },
      ["createdAt"],
    ],
    [
      "createdAt two days ahead",
      {
        requestId: "r",
        model: "m",
        prompt: "x",
        createdAt: new Date(Date.now() + 2 * 86_400_000).toISOString(),
      },
      ["createdAt"],
    ],
    ["sampleRate 5e-324", { requestId: "r", model: "m", prompt: "x", sampleRate: 5e-324 }, ["sampleRate"]],
    // one item would count as a billion requests: under MIN_SAMPLE_RATE (1e-6 by default)
    ["sampleRate 1e-9", { requestId: "r", model: "m", prompt: "x", sampleRate: 1e-9 }, ["sampleRate"]],
    [
      "bad message content",
      { requestId: "r", model: "m", messages: [{ role: "user", content: 5 }] },
      ["messages.0.content"],
    ],
    ["prompts is not an array", { prompts: { requestId: "a", model: "m", prompt: "x" } }, ["prompts"]],
    ["empty batch", { prompts: [] }, ["prompts"]],
    [
      "batch over 1,000 items",
      { prompts: Array.from({ length: 1001 }, (_, i) => ({ requestId: `r${i}`, model: "m", prompt: "x" })) },
      ["prompts"],
    ],
  ])("%s -> 400 with field paths", async (_name, body, paths) => {
    const before = await queued();
    const problem = await expectProblem(await stack.post(body, ingest), 400, "VALIDATION_FAILED");
    expect(problem.errors.map((e: { path: string }) => e.path)).toEqual(expect.arrayContaining(paths));
    expect(await queued()).toBe(before);
  });

  it.each([
    [
      "sampleRate 9e-7",
      [
        { requestId: uniqueId(), model: "m", prompt: "x", sampleRate: 1e-6 },
        { requestId: uniqueId(), model: "m", prompt: "x", sampleRate: 9e-7 },
      ],
      [[1, "prompts.1.sampleRate"]],
    ],
    [
      "no model, and a control character in one",
      [
        { requestId: uniqueId(), model: "m", prompt: "x" },
        { requestId: uniqueId(), prompt: "x" },
        { requestId: uniqueId(), model: "gpt\u00075", prompt: "x" },
        { requestId: uniqueId(), model: "m", prompt: "y" },
      ],
      [
        [1, "prompts.1.model"],
        [2, "prompts.2.model"],
      ],
    ],
    ["not even an object", [5, { requestId: uniqueId(), model: "m", prompt: "x" }], [[0, "prompts.0"]]],
  ])(
    "a batch with bad items (%s) -> 202: the others taken, each bad one named by index",
    async (_n, prompts, bad) => {
      const before = await queued();
      const res = await stack.post({ prompts }, ingest);
      expect(res.status).toBe(202);
      const body = await json(res);
      expect(body).toMatchObject({
        accepted: prompts.length - bad.length,
        sampled: prompts.length - bad.length,
      });
      expect(body.rejected.map((r: { index: number }) => r.index)).toEqual(bad.map(([i]) => i));
      for (const [k, [, path]] of bad.entries()) {
        expect(body.rejected[k]).toMatchObject({
          status: 400,
          code: "VALIDATION_FAILED",
          title: expect.any(String),
        });
        expect(body.rejected[k].type).toContain("/problems/");
        expect(body.rejected[k].errors.map((e: { path: string }) => e.path)).toContain(path);
      }
      expect(await queued()).toBe(before + prompts.length - bad.length);
    },
  );

  it("a batch whose items all fail -> 202 with none accepted and every item named", async () => {
    const res = await stack.post({ prompts: [{ requestId: "a" }, { model: "m" }] }, ingest);
    expect(res.status).toBe(202);
    const body = await json(res);
    expect(body).toMatchObject({ accepted: 0, sampled: 0 });
    expect(body.rejected.map((r: { index: number }) => r.index)).toEqual([0, 1]);
  });

  it("a declared body over 5 MB -> 413 without reading it", async () => {
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(64 * 1024));
      },
    });
    const res = await stack.app.request("/v1/prompts", {
      method: "POST",
      headers: {
        authorization: `Bearer ${ingest}`,
        "content-type": "application/json",
        "content-length": String(6 * 1024 * 1024),
      },
      body,
      duplex: "half",
    } as RequestInit);
    await expectProblem(res, 413, "PAYLOAD_TOO_LARGE");
    expect(pulled).toBeLessThan(3);
  });

  it("a chunked body is cut off at 5 MB -> 413", async () => {
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent += 256 * 1024;
        controller.enqueue(new Uint8Array(256 * 1024).fill(0x20));
        if (sent > 64 * 1024 * 1024) controller.close();
      },
    });
    const res = await stack.app.request("/v1/prompts", {
      method: "POST",
      headers: { authorization: `Bearer ${ingest}`, "content-type": "application/json" },
      body,
      duplex: "half",
    } as RequestInit);
    await expectProblem(res, 413, "PAYLOAD_TOO_LARGE");
    expect(sent).toBeLessThan(6 * 1024 * 1024 + 512 * 1024);
  });

  it("a body just under 5 MB is fine", async () => {
    const prompts = Array.from({ length: 1000 }, () => ({ ...good(), prompt: "y".repeat(5000) }));
    const res = await stack.post({ prompts }, ingest);
    expect(res.status).toBe(202);
    expect((await json(res)).accepted).toBe(1000);
  });

  it("non-JSON content type -> 415", async () => {
    const res = await stack.post("requestId=1", ingest, {
      "content-type": "application/x-www-form-urlencoded",
    });
    await expectProblem(res, 415, "UNSUPPORTED_MEDIA_TYPE");
  });

  it("unknown route -> 404 problem", async () => {
    await expectProblem(await stack.app.request("/v1/nope"), 404, "NOT_FOUND");
  });

  it.each(
    ["/dashboard/assets", "/docs/assets"].flatMap((dir) =>
      ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf", "nope.js"].map(
        (f) => `${dir}/${f}`,
      ),
    ),
  )("%s (a name an object inherits) -> 404 problem, not 500", async (path) => {
    await expectProblem(await stack.app.request(path), 404, "NOT_FOUND");
  });
});

describe("ops endpoints", () => {
  it("healthz, readyz, openapi and docs answer", async () => {
    expect(await json(await stack.app.request("/healthz"))).toEqual({ status: "ok" });
    expect(await json(await stack.app.request("/readyz"))).toEqual({
      status: "ok",
      checks: { postgres: true, redis: true },
    });
    const spec = await json(await stack.app.request("/openapi.json"));
    expect(spec.paths["/v1/prompts"].post.responses).toHaveProperty("202");
    expect(spec.paths["/v1/prompts"].post.responses).toHaveProperty("413");
    const docs = await stack.app.request("/docs");
    expect(await docs.text()).toContain("/docs/assets/init.js");
    expect(await (await stack.app.request("/docs/assets/init.js")).text()).toContain("/openapi.json");
    const js = await stack.app.request("/docs/assets/swagger-ui-bundle.js");
    expect(js.status).toBe(200);
    const metricsKey = await stack.key("metrics");
    const metrics = await (
      await stack.app.request("/metrics", { headers: { authorization: `Bearer ${metricsKey}` } })
    ).text();
    // every result and source has its series from the start, counted or not
    expect(metrics).toMatch(/census_ingest_items_total\{result="duplicate",source="backfill"\} \d+/);
    expect(metrics).toMatch(/census_queue_jobs\{state="wait"\} \d+/);
  });
});

describe("/metrics", () => {
  it.each([
    ["no key", undefined, 401],
    ["an ingest key", "ingest", 403],
    ["a read key", "read", 403],
    ["a metrics key", "metrics", 200],
    ["an admin key", "admin", 200],
  ] as const)("%s -> %i (exact counters sit below the privacy floor)", async (_name, scope, status) => {
    const headers: Record<string, string> = scope
      ? { authorization: `Bearer ${await stack.key(scope)}` }
      : {};
    expect((await stack.app.request("/metrics", { headers })).status).toBe(status);
  });

  it("METRICS_TOKEN lets a scraper in without an API key", async () => {
    const token = "scrape-token-0123456789";
    const own = await createStack({ worker: false, env: { METRICS_TOKEN: token } });
    try {
      const ok = await own.app.request("/metrics", { headers: { authorization: `Bearer ${token}` } });
      expect(ok.status).toBe(200);
      const wrong = await own.app.request("/metrics", { headers: { authorization: `Bearer ${token}x` } });
      expect(wrong.status).toBe(401);
    } finally {
      await own.close();
    }
  });
});

describe("a backing service down", () => {
  it("Redis gone: POST answers 503 (resend), readyz says so, nothing half-accepted", async () => {
    const own = await createStack({ worker: false });
    try {
      const key = await own.key("ingest");
      own.deps.redis.disconnect();
      await expectProblem(await own.post(good(), key), 503, "SERVICE_UNAVAILABLE");
      const ready = await own.app.request("/readyz");
      expect(ready.status).toBe(503);
      expect(await json(ready)).toMatchObject({ checks: { postgres: true, redis: false } });
    } finally {
      await own.close();
    }
  });

  it("Postgres unreachable: POST and stats answer 503, readyz says so, nothing queued", async () => {
    const dead = new URL(TEST_DATABASE_URL);
    dead.port = "1"; // nothing listens there
    const own = await createStack({
      worker: false,
      bootstrap: false,
      env: { DATABASE_URL: dead.toString() },
    });
    try {
      const auth = { authorization: "Bearer pc_anykeyatall" };
      await expectProblem(await own.post(good(), "pc_anykeyatall"), 503, "SERVICE_UNAVAILABLE");
      await expectProblem(
        await own.app.request("/v1/stats/categories", { headers: auth }),
        503,
        "SERVICE_UNAVAILABLE",
      );
      const ready = await own.app.request("/readyz");
      expect(ready.status).toBe(503);
      expect(await json(ready)).toMatchObject({ checks: { postgres: false, redis: true } });
      expect(await own.deps.queue.count()).toBe(0);
    } finally {
      await own.close();
    }
  });
});
