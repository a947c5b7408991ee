import { describe, expect, it } from "vitest";
import { llmModel, spanItem, startTime } from "./genai";
import type { Span, Value } from "./spans";

const span = (attrs: Record<string, Value>, more: Partial<Span> = {}): Span => ({
  traceId: "0af7651916cd43dd8448eb211c80319c",
  spanId: "b7ad6b7169203331",
  parentSpanId: "",
  startTimeUnixNano: "1705312800123456789",
  attributes: new Map(Object.entries(attrs)),
  events: [],
  ...more,
});

describe("llmModel: which spans are LLM calls", () => {
  it.each<[string, Record<string, Value>, string | undefined]>([
    [
      "response model first",
      { "gen_ai.request.model": "gpt-4o", "gen_ai.response.model": "gpt-4o-2024-08-06" },
      "gpt-4o-2024-08-06",
    ],
    ["request model alone", { "gen_ai.request.model": "openai/gpt-4" }, "openai/gpt-4"],
    ["chat operation", { "gen_ai.operation.name": "chat", "gen_ai.request.model": "m" }, "m"],
    [
      "LiteLLM's async call type",
      { "gen_ai.operation.name": "acompletion", "gen_ai.request.model": "m" },
      "m",
    ],
    ["an HTTP span", { "http.request.method": "POST", "url.path": "/v1/chat" }, undefined],
    ["an empty model", { "gen_ai.request.model": "" }, undefined],
    ["a model that is not a string", { "gen_ai.request.model": 4 }, undefined],
    [
      "embeddings",
      { "gen_ai.operation.name": "embeddings", "gen_ai.request.model": "text-embedding-3" },
      undefined,
    ],
    ["LiteLLM embedding", { "gen_ai.operation.name": "aembedding", "gen_ai.request.model": "e" }, undefined],
    ["a tool call", { "gen_ai.operation.name": "execute_tool", "gen_ai.request.model": "m" }, undefined],
    ["an agent", { "gen_ai.operation.name": "invoke_agent", "gen_ai.request.model": "m" }, undefined],
    ["a system but no model", { "gen_ai.system": "openai", "gen_ai.operation.name": "chat" }, undefined],
  ])("%s", (_name, attrs, model) => {
    expect(llmModel(span(attrs))).toBe(model);
  });
});

describe("spanItem: the /v1/prompts item a span becomes", () => {
  it("takes tokens, cost, request id and time from the GenAI attributes", () => {
    const item = spanItem(
      span({
        "gen_ai.response.id": "chatcmpl-123",
        "gen_ai.usage.input_tokens": 100,
        "gen_ai.usage.output_tokens": 50,
        "gen_ai.usage.total_cost": 0.0035,
        "gen_ai.input.messages": JSON.stringify([{ role: "user", parts: [{ type: "text", content: "Hi" }] }]),
      }),
      "gpt-4o",
    );
    expect(item).toEqual({
      requestId: "chatcmpl-123",
      model: "gpt-4o",
      messages: [{ role: "user", content: [{ type: "text", text: "Hi" }] }],
      promptTokens: 100,
      completionTokens: 50,
      costUsd: 0.0035,
      createdAt: "2024-01-15T10:00:00.123Z",
    });
  });

  it.each<[string, Record<string, Value>, object]>([
    [
      "older token names",
      { "gen_ai.usage.prompt_tokens": 7, "gen_ai.usage.completion_tokens": 9 },
      { promptTokens: 7, completionTokens: 9 },
    ],
    [
      "new names win over old",
      { "gen_ai.usage.input_tokens": 1, "gen_ai.usage.prompt_tokens": 2 },
      { promptTokens: 1 },
    ],
    ["numeric strings", { "gen_ai.usage.input_tokens": "12" }, { promptTokens: 12 }],
    ["OpenRouter's older cost", { "gen_ai.usage.cost": 0.5 }, { costUsd: 0.5 }],
    ["LiteLLM's cost breakdown", { "gen_ai.cost.total_cost": 0.25 }, { costUsd: 0.25 }],
  ])("%s", (_name, attrs, expected) => {
    expect(spanItem(span(attrs), "m")).toMatchObject(expected);
  });

  it("falls back to trace and span id for the request id, and to an empty prompt without text", () => {
    expect(spanItem(span({}), "m")).toEqual({
      requestId: "0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331",
      model: "m",
      prompt: "",
      createdAt: "2024-01-15T10:00:00.123Z",
    });
    expect(spanItem(span({}, { traceId: "", spanId: "" }), "m").requestId).toBe("");
  });
});

describe("startTime", () => {
  it.each([
    ["1705312800123456789", "2024-01-15T10:00:00.123Z"],
    ["0", undefined],
    ["", undefined],
    ["-5", undefined],
    ["99999999999999999999", "5138-11-16T09:46:39.999Z"], // kept: the item limits reject it
  ])("%s -> %s", (nanos, iso) => {
    expect(startTime(nanos)).toBe(iso);
  });
});
