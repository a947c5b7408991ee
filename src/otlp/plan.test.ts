import { describe, expect, it } from "vitest";
import { partialMessage, planSpans } from "./plan";
import type { Span, Value } from "./spans";

let n = 0;
const span = (attrs: Record<string, Value>, more: Partial<Span> = {}): Span => ({
  traceId: "aa".repeat(16),
  spanId: (++n).toString(16).padStart(16, "0"),
  parentSpanId: "",
  startTimeUnixNano: "1705312800000000000",
  attributes: new Map(Object.entries(attrs)),
  events: [],
  ...more,
});
const llm = (more: Record<string, Value> = {}) =>
  span({ "gen_ai.request.model": "openai/gpt-4o", "gen_ai.prompt": "Sort this list", ...more });

describe("planSpans", () => {
  it("makes LLM spans items, counts the others as ignored", () => {
    const plan = planSpans([llm(), span({ "http.route": "/chat" }), span({})]);
    expect(plan.items).toHaveLength(1);
    expect(plan.items[0]).toMatchObject({ model: "openai/gpt-4o", messages: [{ role: "user" }] });
    expect(plan).toMatchObject({ ignored: 2, nested: 0, rejected: [] });
  });

  it("counts an LLM span inside another LLM span of the export once", () => {
    const outer = llm();
    const inner = llm({ "gen_ai.response.model": "openai/gpt-4o-2024" });
    inner.parentSpanId = outer.spanId;
    const elsewhere = llm();
    elsewhere.parentSpanId = outer.spanId;
    elsewhere.traceId = "bb".repeat(16); // same span id in another trace: not its child
    const plan = planSpans([inner, outer, elsewhere]);
    expect(plan.items).toHaveLength(2);
    expect(plan.nested).toBe(1);
  });

  it("rejects LLM spans that fail the item limits, by index and field, keeping their neighbours", () => {
    const plan = planSpans([
      llm(),
      llm({ "gen_ai.request.model": "bad\u0007model" }),
      llm({ "gen_ai.usage.input_tokens": -1 }),
      span({ "gen_ai.request.model": "m" }, { startTimeUnixNano: "99999999999999999999" }),
    ]);
    expect(plan.items).toHaveLength(1);
    expect(plan.rejected.map((r) => [r.span, r.errors.map((e) => e.path)])).toEqual([
      [1, ["model"]],
      [2, ["promptTokens"]],
      [3, ["createdAt"]],
    ]);
  });
});

describe("partialMessage", () => {
  it("is undefined when every span became an item", () => {
    expect(partialMessage({ ignored: 0, nested: 0, rejected: [] })).toBeUndefined();
  });

  it("names rejected spans by index and field, never by value, and counts the ignored", () => {
    const secret = "my-secret-prompt";
    const plan = planSpans([
      llm({ "gen_ai.request.model": `x\u0001${secret}`, "gen_ai.prompt": secret }),
      span({ "gen_ai.prompt": secret }),
    ]);
    const message = partialMessage(plan) ?? "";
    expect(message).toMatch(
      /^1 LLM span\(s\) rejected \(span 0: model: .+\)\. 1 span\(s\) ignored: not an LLM call/,
    );
    expect(message).not.toContain(secret);
  });

  it("spells out five rejections and counts the rest", () => {
    const rejected = Array.from({ length: 7 }, (_, span) => ({
      span,
      errors: [{ path: "model", message: "m" }],
    }));
    const message = partialMessage({ ignored: 0, nested: 2, rejected }) ?? "";
    expect(message).toContain("span 4: model: m; and 2 more");
    expect(message).not.toContain("span 5");
    expect(message).toContain("2 LLM span(s) ignored: inside another LLM span");
  });
});
