import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createGoogleClassifier } from "../src/classification/google";
import { startEmulator } from "../src/emulator/server";
import { startHttp, startWorker } from "../src/runtime";
import { BACKSTOP_MS } from "./support/progress";
import { createStack } from "./support/stack";

// A hostile client, bounded and on loopback only: ≥10,000 fuzzed ingest requests and ≥1,000
// fuzzed stats requests against the real server. None may answer ≥ 500, every error is
// problem+json, and every prompt the server acknowledged ends as exactly one event.
// Reproduce a failure with FUZZ_SEED=<the seed printed below>.

const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const INGEST_REQUESTS = 10_000;
const STATS_REQUESTS = 1_200;

const hostile = fc.oneof(
  fc.constantFrom(
    2 ** 31,
    2 ** 53,
    2 ** 64,
    -1,
    -0,
    1e308,
    1.5,
    0,
    "",
    "123",
    "\u0000",
    "\u0000".repeat(50),
    "\u200B\u200D\uFEFF",
    null,
    true,
    false,
    [],
    {},
    { __proto__: { polluted: 1 } },
    "9999-12-31T23:59:59-23:59",
    "0000-01-01T00:00:00Z",
    "2025-02-30T00:00:00Z",
    "2016-12-31T23:59:60Z",
    "1999-12-31T23:59:59Z",
    '=HYPERLINK("x")',
    "a".repeat(70_000),
    "😀".repeat(2000),
    "\uD800",
  ),
  fc.string({ unit: "binary", maxLength: 300 }),
  fc.double(),
  fc.integer(),
  fc.jsonValue({ maxDepth: 3 }),
);

const FIELDS = [
  "requestId",
  "prompt",
  "messages",
  "model",
  "promptTokens",
  "completionTokens",
  "costUsd",
  "createdAt",
  "sampleRate",
  "extra",
  "__proto__",
  "constructor",
] as const;

let counter = 0;
const validItem = fc.record({
  prompt: fc.oneof(
    fc.constantFrom(
      "Write a Python function that reverses a linked list",
      "translate good morning into French",
    ),
    fc.string({ unit: "binary", minLength: 1, maxLength: 200 }),
  ),
  model: fc.constantFrom("openai/gpt-5", "anthropic/claude-sonnet-4.5", "x/y"),
  sampleRate: fc.option(fc.constantFrom(1, 0.5, 0.01), { nil: undefined }),
});

/** A valid item, then up to three fields replaced, removed or added. */
const item = fc
  .tuple(
    validItem,
    fc.array(fc.tuple(fc.constantFrom(...FIELDS), fc.oneof(hostile, fc.constant(undefined))), {
      maxLength: 3,
    }),
    fc.boolean(),
  )
  .map(([base, mutations, asMessages]) => {
    const out: Record<string, unknown> = { requestId: `fuzz-${SEED}-${counter++}`, ...base };
    if (asMessages) {
      out.messages = [{ role: "user", content: [{ type: "text", text: out.prompt }] }];
      delete out.prompt;
    }
    for (const [field, value] of mutations) {
      if (value === undefined) delete out[field];
      else Object.defineProperty(out, field, { value, enumerable: true, configurable: true, writable: true });
    }
    return out;
  });

const rawBodies = fc.oneof(
  fc.constantFrom(
    "",
    "{",
    '{"requestId":',
    "[]",
    "null",
    '"just a string"',
    "1e999",
    `${"[".repeat(5000)}${"]".repeat(5000)}`,
    `{"prompts":${"[".repeat(3000)}${"]".repeat(3000)}}`,
    '{"requestId":"r","model":"m","prompt":"x","promptTokens":1e400}',
    '{"__proto__":{"isAdmin":true},"requestId":"r","model":"m","prompt":"x"}',
  ),
  fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString("latin1")),
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
);

const body = fc.oneof(
  { weight: 5, arbitrary: item.map((i) => JSON.stringify(i)) },
  {
    weight: 3,
    arbitrary: fc
      .oneof(fc.array(item, { maxLength: 20 }), hostile)
      .map((prompts) => JSON.stringify({ prompts })),
  },
  { weight: 2, arbitrary: rawBodies },
);

const contentType = fc.constantFrom(
  "application/json",
  "application/json",
  "application/json; charset=utf-8",
  "application/problem+json",
  "text/plain",
  "",
  "application/json; charset=utf-16",
);

const auth = (key: string) =>
  fc.oneof(
    { weight: 8, arbitrary: fc.constant(`Bearer ${key}`) },
    {
      weight: 1,
      arbitrary: fc.constantFrom("", "Bearer", "Basic abc", `Bearer ${"x".repeat(5000)}`, "Bearer pc_nope"),
    },
  );

type Result = { status: number; type: string | null; body: string };

async function send(url: string, init: RequestInit): Promise<Result> {
  const res = await fetch(url, init);
  return { status: res.status, type: res.headers.get("content-type"), body: await res.text() };
}

/** Runs the calls `concurrency` at a time, in order of the array. */
async function pool<T, R>(items: T[], concurrency: number, call: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await call(items[i] as T);
      }
    }),
  );
  return out;
}

function expectNoServerErrors(results: Result[], label: string) {
  const bad = results.filter((r) => r.status >= 500);
  expect(bad.slice(0, 3), `${label}: ${bad.length} responses ≥ 500 (FUZZ_SEED=${SEED})`).toEqual([]);
  for (const r of results.filter((x) => x.status >= 400 && x.status !== 408)) {
    expect(r.type, `${label}: an error that is not problem+json (FUZZ_SEED=${SEED})`).toBe(
      "application/problem+json",
    );
  }
}

describe(`fuzzing (FUZZ_SEED=${SEED})`, () => {
  it(
    `${INGEST_REQUESTS} hostile ingest requests: no 5xx, and every acknowledged prompt becomes one event`,
    async () => {
      const stack = await createStack({
        worker: false,
        env: { SAMPLE_RATE: "0.05", HTTP_MAX_CONNECTIONS: "64" },
      });
      const http = await startHttp(stack.deps, 0);
      const emulator = await startEmulator(0);
      try {
        const key = await stack.key("ingest");
        const specs = fc.sample(fc.record({ body, type: contentType, auth: auth(key) }), {
          numRuns: INGEST_REQUESTS,
          seed: SEED,
        });
        const results = await pool(specs, 16, (s) =>
          send(`http://127.0.0.1:${http.port}/v1/prompts`, {
            method: "POST",
            headers: { "content-type": s.type, authorization: s.auth },
            body: s.body,
          }),
        );
        expectNoServerErrors(results, "ingest");
        const accepted = results.filter((r) => r.status === 202).map((r) => JSON.parse(r.body));
        expect(accepted.length).toBeGreaterThan(1000); // the fuzz is not all noise
        const sampled = accepted.reduce((n, r) => n + r.sampled, 0);
        expect(sampled).toBeGreaterThan(50);

        // drain what was acknowledged: each queued prompt must end as exactly one event. (Items that
        // share a request id across concurrent requests may both count as sampled; the job id
        // makes them one job, hence jobs <= sampled.)
        const ids = (await stack.deps.queue.getJobs(["wait", "prioritized"])).map((j) => String(j.id));
        expect(ids.length).toBeLessThanOrEqual(sampled);
        expect(ids.length).toBeGreaterThan(sampled * 0.95);
        const classifier = createGoogleClassifier({ emulatorHost: emulator.host });
        const worker = await startWorker({ ...stack.deps, classifier: async () => classifier });
        try {
          await stack.drained();
        } finally {
          await worker.close();
          await classifier.close();
        }
        expect(await stack.deps.queue.getFailedCount(), "jobs failed for good").toBe(0);
        const { rows } = await stack.deps.pool.query(
          "SELECT count(*)::int AS n FROM prompt_events WHERE id = ANY($1)",
          [ids],
        );
        expect(rows[0].n).toBe(ids.length);
      } finally {
        await emulator.close();
        await http.close();
        await stack.close();
      }
    },
    BACKSTOP_MS,
  );

  it(
    `${STATS_REQUESTS} hostile stats queries: no 5xx`,
    async () => {
      const stack = await createStack({ worker: false });
      const http = await startHttp(stack.deps, 0);
      try {
        const key = await stack.key("read");
        const value = fc.oneof(
          fc.constantFrom(
            "2025-05-01",
            "2000-01-01",
            "1999-12-31",
            "2100-01-01",
            "2100-01-02",
            "0000-01-01",
            "0001-01-01",
            "99999-01-01",
            "2025-02-30",
            "week",
            "day",
            "month",
            "range",
            "year",
            "google",
            "synthetic",
            "tokens",
            "spend",
            "requests",
            "programming",
            "others",
            "%00",
            "%zz",
            "%",
            "a%0Ab",
            "openai/gpt-5",
            "x".repeat(3000),
          ),
          fc.string({ unit: "binary", maxLength: 40 }).map(encodeURIComponent),
        );
        const param = fc.tuple(
          fc.constantFrom(
            "from",
            "to",
            "interval",
            "engine",
            "weight",
            "model",
            "author",
            "category",
            "nope",
          ),
          value,
        );
        // mostly a valid query with one to three parameters made hostile, so each hostile value
        // reaches the database instead of failing on another parameter first
        const valid: [string, string][] = [
          ["from", "2018-03-05"],
          ["to", "2018-03-19"],
          ["engine", "synthetic"],
        ];
        const spec = fc.record({
          path: fc.constantFrom(
            "/v1/stats/categories",
            "/v1/stats/tags",
            "/v1/stats/authors",
            "/v1/stats/usage",
          ),
          params: fc.array(param, { minLength: 1, maxLength: 3 }).map((hostileParams) => {
            const byKey = new Map(valid);
            for (const [k, v] of hostileParams) byKey.set(k, v);
            return [...byKey];
          }),
          accept: fc.constantFrom("application/json", "text/csv", "*/*"),
        });
        const specs = fc.sample(spec, { numRuns: STATS_REQUESTS, seed: SEED });
        const results = await pool(specs, 8, (s) =>
          send(`http://127.0.0.1:${http.port}${s.path}?${s.params.map(([k, v]) => `${k}=${v}`).join("&")}`, {
            headers: { authorization: `Bearer ${key}`, accept: s.accept },
          }),
        );
        expectNoServerErrors(results, "stats");
        expect(results.filter((r) => r.status === 200).length).toBeGreaterThan(50);
        expect(results.filter((r) => r.status === 400).length).toBeGreaterThan(50);
      } finally {
        await http.close();
        await stack.close();
      }
    },
    BACKSTOP_MS,
  );
});
