import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { context, SpanKind, trace } from "@opentelemetry/api";
import { OTLPTraceExporter as HttpJsonExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as HttpProtoExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  type SpanExporter,
} from "@opentelemetry/sdk-trace-base";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeProtobufResponse, encodeProtobufRequest } from "../src/otlp/protobuf";
import { startHttp } from "../src/runtime";
import { useStackWithGoogle } from "./support/harness";
import { json, uniqueId } from "./support/stack";

// POST /v1/traces end to end: OTLP exports (the real OpenTelemetry JS SDK and exporters, and a
// Broadcast-shaped payload) become events through the same path as POST /v1/prompts.

const ctx = useStackWithGoogle(); // a worker, and Google faked by msw

const hexId = (bytes: number) => randomBytes(bytes).toString("hex");
const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
const int = (key: string, value: number) => ({ key, value: { intValue: String(value) } });

/** One GenAI chat span and one HTTP span, as an OTLP/HTTP JSON exporter sends them. */
function genAiExport(responseId: string, text: string) {
  const traceId = hexId(16);
  const httpSpanId = hexId(8);
  return {
    resourceSpans: [
      {
        resource: { attributes: [str("service.name", "router")] },
        scopeSpans: [
          {
            scope: { name: "router" },
            spans: [
              {
                traceId,
                spanId: httpSpanId,
                name: "POST /v1/chat/completions",
                kind: 2,
                startTimeUnixNano: "1764979200000000000",
                endTimeUnixNano: "1764979201000000000",
                attributes: [str("http.request.method", "POST"), int("http.response.status_code", 200)],
              },
              {
                traceId,
                spanId: hexId(8),
                parentSpanId: httpSpanId,
                name: "chat gpt-4o",
                kind: 3,
                startTimeUnixNano: "1764979200500000000",
                endTimeUnixNano: "1764979200900000000",
                attributes: [
                  str("gen_ai.operation.name", "chat"),
                  str("gen_ai.request.model", "gpt-4o"),
                  str("gen_ai.response.model", "openai/gpt-4o-2024-08-06"),
                  str("gen_ai.response.id", responseId),
                  int("gen_ai.usage.input_tokens", 120),
                  int("gen_ai.usage.output_tokens", 800),
                  str(
                    "gen_ai.input.messages",
                    JSON.stringify([{ role: "user", parts: [{ type: "text", content: text }] }]),
                  ),
                ],
              },
            ],
          },
        ],
      },
    ],
  };
}

const CODE_PROMPT = "Write a TypeScript function that debounces another function and explain the closure";

function postTraces(body: string | Uint8Array, headers: Record<string, string>) {
  return ctx.stack.app.request("/v1/traces", { method: "POST", headers, body });
}
const auth = () => ({ authorization: `Bearer ${ctx.key}` });

describe("POST /v1/traces with OTLP/HTTP JSON", () => {
  it("stores one event per GenAI span with its model and tokens, ignores the rest, and says so", async () => {
    const responseId = uniqueId("chatcmpl");
    const res = await postTraces(JSON.stringify(genAiExport(responseId, CODE_PROMPT)), {
      ...auth(),
      "content-type": "application/json",
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await json(res)).toEqual({
      partialSuccess: {
        rejectedSpans: "0",
        errorMessage: expect.stringMatching(/^1 span\(s\) ignored: not an LLM call/),
      },
    });
    const event = await ctx.stack.waitForEvent(responseId);
    expect(event).toMatchObject({
      model: "openai/gpt-4o-2024-08-06",
      prompt_tokens: "120",
      completion_tokens: "800",
      source: "live",
      char_count: CODE_PROMPT.length,
    });
    expect((event.observed_hour as Date).toISOString()).toBe("2025-12-06T00:00:00.000Z");
    expect(ctx.google.received).toContain(CODE_PROMPT);
    const metrics = await ctx.stack.deps.metrics.registry.getSingleMetricAsString("census_otlp_spans_total");
    expect(metrics).toMatch(/census_otlp_spans_total\{result="item"\} [1-9]/);
    expect(metrics).toMatch(/census_otlp_spans_total\{result="ignored"\} [1-9]/);
  });

  it("answers 401 without a key, 403 with a key of another scope, and queues nothing", async () => {
    const responseId = uniqueId("chatcmpl");
    const body = JSON.stringify(genAiExport(responseId, CODE_PROMPT));
    const none = await postTraces(body, { "content-type": "application/json" });
    expect(none.status).toBe(401);
    expect(none.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    const read = await postTraces(body, {
      authorization: `Bearer ${await ctx.stack.key("read")}`,
      "content-type": "application/json",
    });
    expect(read.status).toBe(403);
    expect(await ctx.stack.event(responseId)).toBeUndefined();
  });

  it("rejects an LLM span whose item fails the limits and keeps its neighbours", async () => {
    const good = uniqueId("chatcmpl");
    const bad = uniqueId("chatcmpl");
    const body = genAiExport(good, CODE_PROMPT);
    const spans = body.resourceSpans[0]?.scopeSpans[0]?.spans ?? [];
    const badSpan = structuredClone(spans[1]) as NonNullable<(typeof spans)[1]>;
    badSpan.spanId = hexId(8);
    badSpan.attributes = badSpan.attributes.map((a) =>
      a.key === "gen_ai.response.model"
        ? str(a.key, "bad\u0007model")
        : a.key === "gen_ai.response.id"
          ? str(a.key, bad)
          : a,
    );
    spans.push(badSpan);
    const res = await postTraces(JSON.stringify(body), { ...auth(), "content-type": "application/json" });
    expect(res.status).toBe(200);
    const { partialSuccess } = await json(res);
    expect(partialSuccess.rejectedSpans).toBe("1");
    expect(partialSuccess.errorMessage).toMatch(/^1 LLM span\(s\) rejected \(span 2: model: /);
    expect(await ctx.stack.waitForEvent(good)).toBeDefined();
    expect(await ctx.stack.event(bad)).toBeUndefined();
  });

  it("takes OpenRouter Broadcast's payload, and its empty connection test", async () => {
    const fixture = JSON.parse(
      readFileSync(new URL("./fixtures/otlp/openrouter-broadcast.json", import.meta.url), "utf8"),
    );
    const span = fixture.resourceSpans[0].scopeSpans[0].spans[0];
    span.traceId = hexId(16); // a trace of its own on every run: the event id derives from it
    const res = await postTraces(JSON.stringify(fixture), { ...auth(), "content-type": "application/json" });
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({});
    const event = await ctx.stack.waitForEvent(`${span.traceId}-${span.spanId}`);
    expect(event).toMatchObject({
      model: "anthropic/claude-sonnet-4.5",
      prompt_tokens: "150",
      completion_tokens: "50",
      cost_usd: "0.0035000000",
    });
    expect(ctx.google.received).toContain(
      "You are a careful senior engineer.\n\nWrite a TypeScript function that debounces another function and explain the closure",
    );

    const test = await postTraces("{}", {
      ...auth(),
      "content-type": "application/json",
      "x-test-connection": "true",
    });
    expect(test.status).toBe(200);
    expect(await json(test)).toEqual({});
  });

  it("refuses whole-request faults as problems", async () => {
    const cases: [Record<string, string>, string | Uint8Array, number][] = [
      [{ "content-type": "text/plain" }, "{}", 415],
      [{ "content-type": "application/json", "content-encoding": "br" }, "{}", 415],
      [{ "content-type": "application/json" }, "{", 400],
      [{ "content-type": "application/json" }, '{"resourceSpans":"no"}', 400],
      [{ "content-type": "application/x-protobuf" }, new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0x0f]), 400],
      [{ "content-type": "application/json", "content-length": String(6 * 1024 * 1024) }, "{}", 413],
    ];
    for (const [headers, body, status] of cases) {
      const res = await postTraces(body, { ...auth(), ...headers });
      expect([headers, res.status]).toEqual([headers, status]);
      expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    }
  });
});

describe("the published contract", () => {
  it("lists POST /v1/traces with its protobuf and JSON bodies and answers", async () => {
    const res = await ctx.stack.app.request("/openapi.json");
    expect(res.status).toBe(200);
    const op = (await json(res)).paths["/v1/traces"].post;
    expect(op.operationId).toBe("exportTraces");
    expect(op.security).toEqual([{ bearer: [] }]);
    expect(op.requestBody.content["application/x-protobuf"].schema).toMatchObject({
      type: "string",
      format: "binary",
    });
    expect(op.requestBody.content["application/json"].schema).toEqual({
      $ref: "#/components/schemas/ExportTraceServiceRequest",
    });
    expect(Object.keys(op.responses)).toEqual(["200", "400", "401", "403", "413", "415", "503"]);
    expect(Object.keys(op.responses["200"].content)).toEqual(["application/x-protobuf", "application/json"]);
  });
});

describe("POST /v1/traces and privacy", () => {
  it("keeps a span's prompt text and ids out of logs, metrics, answers and the event tables", async () => {
    const canary = `canary${hexId(8)}`;
    const idCanary = `idcanary${hexId(8)}`;
    const body = genAiExport(
      idCanary,
      `Write a python function named ${canary} that sorts a list of numbers`,
    );
    const spans = body.resourceSpans[0]?.scopeSpans[0]?.spans ?? [];
    // and a rejected span whose model and prompt carry the canary: the error names fields only
    const rejected = structuredClone(spans[1]) as NonNullable<(typeof spans)[1]>;
    rejected.spanId = hexId(8);
    rejected.attributes = [str("gen_ai.request.model", `x\u0001${canary}`), str("gen_ai.prompt", canary)];
    spans.push(rejected);
    const res = await postTraces(JSON.stringify(body), { ...auth(), "content-type": "application/json" });
    expect(res.status).toBe(200);
    const answer = await res.text();
    expect(answer).toContain('"rejectedSpans":"1"');
    await ctx.stack.waitForEvent(idCanary);
    await ctx.stack.drained();

    const { pool, metrics } = ctx.stack.deps;
    const { rows } = await pool.query(
      `SELECT (SELECT count(*) FROM prompt_events e WHERE e::text LIKE $1)
            + (SELECT count(*) FROM prompt_labels l WHERE l::text LIKE $1) AS n`,
      ["%canary%"],
    );
    const places = { answer, logs: ctx.stack.logs.text(), metrics: await metrics.registry.metrics() };
    for (const [where, text] of Object.entries(places)) {
      expect([where, text.includes(canary) || text.includes(idCanary)]).toEqual([where, false]);
    }
    expect(Number(rows[0].n)).toBe(0);
  });
});

describe("POST /v1/traces and hostile input", () => {
  // Reproduce a failure with FUZZ_SEED=<the seed in the test's name>.
  const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);

  it(`never answers a 5xx to a hostile export (seed ${seed})`, async () => {
    // Mostly well-typed values with hostile contents (a mistyped field refuses the whole export
    // with a 400 and reaches nothing further), sometimes anything at all.
    const rare = <T>(arb: fc.Arbitrary<T>) => ({ arbitrary: arb, weight: 1 });
    const often = <T>(arb: fc.Arbitrary<T>) => ({ arbitrary: arb, weight: 8 });
    const messagesJson = fc
      .array(
        fc.record({
          role: fc.string(),
          parts: fc.array(fc.record({ type: fc.string(), content: fc.string() })),
        }),
      )
      .map((m) => JSON.stringify(m));
    const value = fc.oneof(
      often(fc.record({ stringValue: fc.oneof(fc.string(), messagesJson, fc.string({ unit: "binary" })) })),
      often(
        fc.record({
          intValue: fc.oneof(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n }).map(String), fc.integer()),
        }),
      ),
      often(fc.record({ doubleValue: fc.double({ noNaN: true, noDefaultInfinity: true }) })),
      often(fc.record({ boolValue: fc.boolean() })),
      often(
        fc.record({ arrayValue: fc.record({ values: fc.array(fc.record({ stringValue: fc.string() })) }) }),
      ),
      rare(fc.jsonValue()),
    );
    const key = fc.oneof(
      fc.constantFrom(
        "gen_ai.request.model",
        "gen_ai.response.model",
        "gen_ai.response.id",
        "gen_ai.usage.input_tokens",
        "gen_ai.usage.output_tokens",
        "gen_ai.usage.total_cost",
        "gen_ai.input.messages",
        "gen_ai.system_instructions",
        "gen_ai.prompt",
        "gen_ai.prompt.0.content",
        "gen_ai.operation.name",
        "span.input",
      ),
      fc.string(),
    );
    const span = fc.record(
      {
        traceId: fc.oneof(often(fc.stringMatching(/^[0-9a-f]{0,32}$/)), rare(fc.string())),
        spanId: fc.stringMatching(/^[0-9a-f]{0,16}$/),
        parentSpanId: fc.stringMatching(/^[0-9a-f]{0,16}$/),
        startTimeUnixNano: fc.oneof(
          often(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(String)),
          rare(fc.integer()),
          rare(fc.string()),
        ),
        attributes: fc.array(fc.record({ key, value }), { maxLength: 8 }),
        events: fc.array(
          fc.record({
            name: fc.constantFrom("gen_ai.user.message", "gen_ai.content.prompt", "x"),
            attributes: fc.array(fc.record({ key: fc.constantFrom("content", "gen_ai.prompt"), value })),
          }),
          { maxLength: 2 },
        ),
      },
      { requiredKeys: [] },
    );
    const some = <T>(arb: fc.Arbitrary<T>) => fc.array(arb, { minLength: 1, maxLength: 3 });
    const exportShape = fc.record({
      resourceSpans: some(fc.record({ scopeSpans: some(fc.record({ spans: some(span) })) })),
    });
    const body = fc.oneof({ arbitrary: exportShape, weight: 4 }, { arbitrary: fc.jsonValue(), weight: 1 });
    await fc.assert(
      fc.asyncProperty(body, fc.boolean(), async (json, asProtobuf) => {
        let bytes: string | Uint8Array = JSON.stringify(json);
        if (asProtobuf) {
          try {
            bytes = encodeProtobufRequest(json);
          } catch {
            bytes = new TextEncoder().encode(JSON.stringify(json)); // not encodable: JSON text as "protobuf"
          }
        }
        const res = await postTraces(bytes, {
          ...auth(),
          "content-type": asProtobuf ? "application/x-protobuf" : "application/json",
        });
        expect(res.status).toBeLessThan(500);
      }),
      { seed, numRuns: 150 },
    );
    // and bytes that are not an export at all
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 512 }), async (bytes) => {
        const res = await postTraces(bytes, { ...auth(), "content-type": "application/x-protobuf" });
        expect(res.status).toBeLessThan(500);
      }),
      { seed, numRuns: 150 },
    );
  });
});

describe("POST /v1/traces with protobuf", () => {
  it("answers an ExportTraceServiceResponse in protobuf, with partial success", async () => {
    const responseId = uniqueId("chatcmpl");
    const res = await postTraces(encodeProtobufRequest(genAiExport(responseId, CODE_PROMPT)), {
      ...auth(),
      "content-type": "application/x-protobuf",
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/x-protobuf");
    expect(decodeProtobufResponse(new Uint8Array(await res.arrayBuffer()))).toEqual({
      partialSuccess: { rejectedSpans: 0, errorMessage: expect.stringMatching(/1 span\(s\) ignored/) },
    });
    expect(await ctx.stack.waitForEvent(responseId)).toMatchObject({ model: "openai/gpt-4o-2024-08-06" });
  });
});

/** Spans a router instrumented with the OpenTelemetry SDK records: an HTTP span and a chat call in it. */
function recordRouterSpans(responseId: string): ReadableSpan[] {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ "service.name": "router" }),
    spanProcessors: [new SimpleSpanProcessor(memory)],
  });
  const tracer = provider.getTracer("router");
  const http = tracer.startSpan("POST /v1/chat/completions", {
    kind: SpanKind.SERVER,
    attributes: { "http.request.method": "POST" },
  });
  const chat = tracer.startSpan(
    "chat gpt-4o",
    {
      kind: SpanKind.CLIENT,
      attributes: {
        "gen_ai.operation.name": "chat",
        "gen_ai.request.model": "openai/gpt-4o",
        "gen_ai.response.id": responseId,
        "gen_ai.usage.input_tokens": 42,
        "gen_ai.usage.output_tokens": 7,
        "gen_ai.input.messages": JSON.stringify([
          { role: "user", parts: [{ type: "text", content: CODE_PROMPT }] },
        ]),
      },
    },
    trace.setSpan(context.active(), http),
  );
  chat.end();
  http.end();
  return memory.getFinishedSpans();
}

function exportWith(exporter: SpanExporter, spans: ReadableSpan[]) {
  return new Promise<{ code: number; error?: Error }>((resolve) => exporter.export(spans, resolve));
}

type ExporterOptions = {
  url: string;
  headers: Record<string, string>;
  httpAgentOptions?: { keepAlive: boolean };
};

describe("the OpenTelemetry JS SDK's OTLP exporters, against the app on loopback", () => {
  it.each([
    ["HTTP/protobuf", (o: ExporterOptions) => new HttpProtoExporter(o)],
    [
      "HTTP/protobuf, gzip",
      (o: ExporterOptions) => new HttpProtoExporter({ ...o, compression: "gzip" as never }),
    ],
    ["HTTP/JSON", (o: ExporterOptions) => new HttpJsonExporter(o)],
    ["HTTP/JSON, gzip", (o: ExporterOptions) => new HttpJsonExporter({ ...o, compression: "gzip" as never })],
  ])("%s: the chat span becomes an event", async (_name, makeExporter) => {
    const http = await startHttp(ctx.stack.deps, 0);
    const url = `http://127.0.0.1:${http.port}/v1/traces`;
    const exporter = makeExporter({ url, headers: auth() });
    try {
      const responseId = uniqueId("chatcmpl");
      const result = await exportWith(exporter, recordRouterSpans(responseId));
      expect(result.error).toBeUndefined();
      expect(result.code).toBe(0); // ExportResultCode.SUCCESS
      expect(await ctx.stack.waitForEvent(responseId)).toMatchObject({
        model: "openai/gpt-4o",
        prompt_tokens: "42",
        completion_tokens: "7",
      });

      // Without the key the export fails (401 is not retried). That connection is not kept: the
      // server answers before reading the body, Node then counts the socket busy rather than
      // idle, and http.close() would wait out the keep-alive timeout for it.
      const unauthorised = makeExporter({ url, headers: {}, httpAgentOptions: { keepAlive: false } });
      try {
        expect((await exportWith(unauthorised, recordRouterSpans(uniqueId("chatcmpl")))).code).toBe(1);
      } finally {
        await unauthorised.shutdown();
      }
    } finally {
      await exporter.shutdown();
      await http.close();
    }
  });
});
