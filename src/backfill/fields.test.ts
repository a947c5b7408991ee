import { describe, expect, it } from "vitest";
import { DEFAULT_FIELDS, OPENAI_CHAT_FIELDS, toItem } from "./fields";

describe("toItem", () => {
  it.each([
    {
      name: "defaults",
      record: {
        requestId: "r1",
        prompt: "hello world",
        model: "a/b",
        promptTokens: 3,
        createdAt: "2025-06-01T10:00:00Z",
      },
      item: {
        requestId: "r1",
        prompt: "hello world",
        model: "a/b",
        promptTokens: 3,
        createdAt: "2025-06-01T10:00:00Z",
      },
    },
    {
      name: "numeric id, CSV strings, unix seconds",
      record: {
        requestId: 42,
        prompt: "hi there",
        model: "a/b",
        promptTokens: "7",
        costUsd: "0.5",
        createdAt: "1748772000",
      },
      item: {
        requestId: "42",
        prompt: "hi there",
        model: "a/b",
        promptTokens: 7,
        costUsd: 0.5,
        createdAt: "2025-06-01T10:00:00.000Z",
      },
    },
    {
      name: "messages as JSON text (CSV)",
      record: { requestId: "r", model: "m", messages: '[{"role":"user","content":"yo"}]' },
      item: { requestId: "r", model: "m", messages: [{ role: "user", content: "yo" }] },
    },
    {
      name: "missing model becomes unknown",
      record: { requestId: "r", prompt: "p q" },
      item: { requestId: "r", prompt: "p q", model: "unknown" },
    },
  ])("$name", ({ record, item }) => {
    expect(toItem(record, DEFAULT_FIELDS)).toEqual({ ok: true, item });
  });

  it.each([
    { name: "array", record: [1, 2], reason: "not_an_object" },
    { name: "string", record: "x", reason: "not_an_object" },
    { name: "no id", record: { prompt: "hi" }, reason: "missing_id" },
    { name: "empty id", record: { requestId: "", prompt: "hi" }, reason: "missing_id" },
    { name: "object id", record: { requestId: { a: 1 }, prompt: "hi" }, reason: "missing_id" },
    { name: "no text", record: { requestId: "r", model: "m" }, reason: "no_text" },
    { name: "blank text", record: { requestId: "r", prompt: "   " }, reason: "no_text" },
    { name: "empty messages", record: { requestId: "r", messages: [] }, reason: "no_text" },
    {
      name: "negative tokens",
      record: { requestId: "r", prompt: "p", promptTokens: -4 },
      reason: "invalid_fields",
    },
    {
      name: "bad date",
      record: { requestId: "r", prompt: "p", createdAt: "last tuesday" },
      reason: "invalid_fields",
    },
    {
      name: "a Unix time beyond JS dates is a bad field, not a crash",
      record: { requestId: "r", prompt: "p", createdAt: 1e20 },
      reason: "invalid_fields",
    },
    {
      name: "a time before 2000",
      record: { requestId: "r", prompt: "p", createdAt: 1 },
      reason: "invalid_fields",
    },
    {
      name: "NUL in model",
      record: { requestId: "r", prompt: "p", model: "a\u0000b" },
      reason: "invalid_fields",
    },
  ])("$name -> $reason", ({ record, reason }) => {
    expect(toItem(record, DEFAULT_FIELDS)).toEqual({ ok: false, reason });
  });

  it("reads OpenAI chat logs with the preset", () => {
    const record = {
      id: "chatcmpl-123",
      object: "chat.completion",
      created: 1748772000,
      model: "gpt-4o",
      messages: [{ role: "user", content: [{ type: "text", text: "translate this" }] }],
      usage: { prompt_tokens: 12, completion_tokens: 30 },
    };
    expect(toItem(record, OPENAI_CHAT_FIELDS)).toEqual({
      ok: true,
      item: {
        requestId: "chatcmpl-123",
        model: "gpt-4o",
        messages: record.messages,
        promptTokens: 12,
        completionTokens: 30,
        createdAt: "2025-06-01T10:00:00.000Z",
      },
    });
  });
});
