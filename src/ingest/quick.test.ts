import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { judgeItems } from "./accept";
import { quickValid } from "./quick";
import { promptItemSchema } from "./schema";

const ok = { requestId: "r1", model: "openai/gpt-4o", prompt: "hello" };

// Values near every limit the schema has, and wrong types: the quick check may say "ask zod" for
// anything, but must never pass an item zod refuses.
const edgy = fc.oneof(
  fc.constantFrom(
    undefined,
    null,
    "",
    "x",
    "a\u0000b",
    "\uD800",
    "x".repeat(64),
    "x".repeat(65),
    "x".repeat(256),
    "x".repeat(257),
    "x".repeat(512),
    "x".repeat(513),
    "2026-01-01T00:00:00Z",
    "2026-01-01T00:00:00+02:00",
    "1999-12-31T23:59:59Z",
    "2999-01-01T00:00:00Z",
    "2026-01-01",
    0,
    -1,
    1.5,
    1e9,
    1e9 + 1,
    1_000_000,
    1_000_001,
    0.0025,
    true,
    [],
    {},
  ),
  fc.string(),
  fc.double(),
  fc.integer(),
);
const part = fc.record({ type: edgy, text: edgy }, { requiredKeys: [] });
const message = fc.oneof(
  fc.record(
    { role: edgy, content: fc.oneof(edgy, fc.array(fc.oneof(part, edgy), { maxLength: 3 })) },
    { requiredKeys: [] },
  ),
  edgy,
);
const item = fc.record(
  {
    requestId: edgy,
    model: edgy,
    prompt: edgy,
    messages: fc.oneof(fc.array(message, { maxLength: 4 }), edgy),
    promptTokens: edgy,
    completionTokens: edgy,
    costUsd: edgy,
    createdAt: edgy,
    sampleRate: edgy,
    extra: edgy,
  },
  { requiredKeys: [] },
);
// items near valid ones, each field valid half the time, so passes are common too
const validMessage = fc.record(
  {
    role: fc.constantFrom("user", "assistant"),
    content: fc.oneof(fc.string(), fc.array(part, { maxLength: 2 })),
  },
  { requiredKeys: [] },
);
const nearValid = fc
  .record(
    {
      promptTokens: fc.oneof(fc.nat(1_000_000_000), edgy),
      costUsd: fc.oneof(fc.double({ min: 0, max: 1_000_000, noNaN: true }), edgy),
      createdAt: fc.oneof(
        fc
          .date({ min: new Date("2000-01-01"), max: new Date(), noInvalidDate: true })
          .map((d) => d.toISOString()),
        edgy,
      ),
      model: fc.oneof(fc.string({ minLength: 1, maxLength: 256 }), edgy),
      messages: fc.oneof(fc.array(validMessage, { maxLength: 3 }), edgy),
    },
    { requiredKeys: [] },
  )
  .map((changes) => ({ ...ok, ...changes, ...("messages" in changes ? { prompt: undefined } : {}) }));

describe("quickValid", () => {
  it("passes only items the schema accepts", () => {
    let passed = 0;
    fc.assert(
      fc.property(fc.oneof(item, { arbitrary: nearValid, weight: 3 }), (value) => {
        const clean = JSON.parse(JSON.stringify(value)); // what a request body can hold
        if (!quickValid(clean)) return true;
        passed++;
        return promptItemSchema.safeParse(clean).success;
      }),
      { numRuns: 20_000 },
    );
    expect(passed).toBeGreaterThan(1000); // the property was not vacuous
  });

  it.each([
    ["a plain prompt", ok, true],
    [
      "messages with parts",
      { ...ok, prompt: undefined, messages: [{ role: "user", content: [{ type: "text", text: "hi" }] }] },
      true,
    ],
    ["a createdAt in range", { ...ok, createdAt: "2025-06-01T12:00:00Z" }, true],
    ["its own sampleRate (zod decides)", { ...ok, sampleRate: 0.5 }, false],
    ["both prompt and messages", { ...ok, messages: [] }, false],
    ["a fractional token count", { ...ok, promptTokens: 1.5 }, false],
    ["a control character in model", { ...ok, model: "a\u0007" }, false],
    ["a createdAt before 2000", { ...ok, createdAt: "1999-01-01T00:00:00Z" }, false],
  ])("%s: %s", (_name, value, expected) => {
    expect(quickValid(JSON.parse(JSON.stringify(value)))).toBe(expected);
  });
});

describe("judgeItems with the sample decision", () => {
  const outside = (id: string) => id.startsWith("out");
  it("counts valid items outside the sample, and still names a faulty one", () => {
    const raw = [
      { ...ok, requestId: "out-1" },
      { ...ok, requestId: "in-1" },
      { ...ok, requestId: "out-2", model: "" },
      { ...ok, requestId: "out-3", sampleRate: 1 },
    ];
    const judged = judgeItems(raw, 1e-6, outside);
    expect(judged.outside).toBe(1);
    expect(judged.valid.map((v) => v.requestId)).toEqual(["in-1", "out-3"]);
    expect(judged.rejected.map((r) => [r.index, r.errors?.[0]?.path])).toEqual([[2, "prompts.2.model"]]);
  });
});
