import { describe, expect, it } from "vitest";
import { MODELS } from "../demo/synthetic";
import { type CatalogueEntry, catalogueFileSchema, loadCatalogue, mergeCatalogues } from "./catalogue";
import { lookupModel } from "./lookup";

const entry = (match: string, more: Partial<CatalogueEntry> = {}): CatalogueEntry => ({
  match,
  source: "oss",
  origin: "row",
  reasoning: false,
  cite: "https://example.org/card",
  ...more,
});

const entries: CatalogueEntry[] = [
  entry("openai/*", { source: "closed" }),
  entry("openai/gpt-oss-*", { reasoning: true }),
  entry("openai/gpt-oss-120b", { size: "large", params: 117, reasoning: true }),
  entry("qwen/*", { origin: "china" }),
  entry("qwen/qwen3-coder*", { origin: "china", size: "large" }),
  entry("anthropic/claude-x:thinking", { source: "closed", reasoning: true }),
  entry("anthropic/*", { source: "closed" }),
];

describe("lookupModel", () => {
  it.each([
    // model, matched entry, source, origin, size, reasoning
    ["openai/gpt-4o", "openai/*", "closed", "row", null, false],
    ["openai/gpt-oss-20b", "openai/gpt-oss-*", "oss", "row", null, true],
    ["openai/gpt-oss-120b", "openai/gpt-oss-120b", "oss", "row", "large", true],
    ["OpenAI/GPT-OSS-120B", "openai/gpt-oss-120b", "oss", "row", "large", true],
    ["openai/gpt-oss-120b:free", "openai/gpt-oss-120b", "oss", "row", "large", true],
    ["qwen/qwen3-coder", "qwen/qwen3-coder*", "oss", "china", "large", false],
    ["qwen/qwen3-8b", "qwen/*", "oss", "china", null, false],
    ["anthropic/claude-x:thinking", "anthropic/claude-x:thinking", "closed", "row", null, true],
    ["anthropic/claude-x", "anthropic/*", "closed", "row", null, false],
    ["acme/secret-model", null, "unknown", "unknown", null, null],
    // a prefix is a prefix of the id, not of the author: `qwen/*` says nothing of `qwenx/...`
    ["qwenx/model", null, "unknown", "unknown", null, null],
    ["openai", null, "unknown", "unknown", null, null],
  ])("%s -> %s", (model, matched, source, origin, size, reasoning) => {
    const a = lookupModel(entries, model);
    expect([a.matched, a.source, a.origin, a.size, a.reasoning]).toEqual([
      matched,
      source,
      origin,
      size,
      reasoning,
    ]);
  });
});

describe("the catalogue file", () => {
  const file = (entries: unknown[]) => ({ version: "t1", entries });

  it.each([
    ["closed with a size", [{ ...entry("a/b", { source: "closed" }), size: "large" }], "oss models only"],
    ["size not the class of params", [entry("a/b", { size: "small", params: 70 })], "class of params"],
    ["the same match twice", [entry("a/b"), entry("a/b")], "once"],
    ["an upper-case id", [entry("A/b")], "lower-case"],
    ["a star inside", [entry("a/*b")], "lower-case"],
    ["no citation", [{ ...entry("a/b"), cite: "not a url" }], "URL"],
  ])("refuses %s", (_, entries, message) => {
    const r = catalogueFileSchema.safeParse(file(entries));
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toContain(message);
  });

  it("merges the operator's entries over the default's, and names both versions", () => {
    const base = { version: "d1", entries: [entry("a/*"), entry("b/x")] };
    const extra = {
      version: "ops3",
      entries: [entry("b/x", { origin: "china" }), entry("acme/*", { source: "closed" })],
    };
    const merged = mergeCatalogues(base, extra);
    expect(merged.version).toBe("d1+ops3");
    expect(lookupModel(merged.entries, "b/x").origin).toBe("china");
    expect(lookupModel(merged.entries, "acme/secret-model").source).toBe("closed");
    expect(lookupModel(merged.entries, "a/y").matched).toBe("a/*");
  });

  // the shipped default: the study's and the issue's examples read as the study labels them
  it.each([
    ["deepseek/deepseek-chat", "oss", "china", "large"],
    ["deepseek/deepseek-r1-distill-qwen-32b", "oss", "china", "medium"],
    ["qwen/qwen3-coder", "oss", "china", "large"],
    ["meta-llama/llama-3.3-70b-instruct", "oss", "row", "large"],
    ["anthropic/claude-sonnet-4.5", "closed", "row", null],
    ["openai/gpt-oss-20b", "oss", "row", "medium"],
    ["openai/gpt-5", "closed", "row", null],
    ["google/gemma-3-12b-it", "oss", "row", "small"],
    ["google/gemini-2.5-pro", "closed", "row", null],
    ["moonshotai/kimi-k2", "oss", "china", "large"],
    ["acme/secret-model", "unknown", "unknown", null],
  ])("the default catalogue: %s is %s/%s/%s", (model, source, origin, size) => {
    const a = lookupModel(loadCatalogue().entries, model);
    expect([a.source, a.origin, a.size]).toEqual([source, origin, size]);
  });
});

// `census demo`'s data should read as a router's would: every model it writes is known
it.each(MODELS.map(([model]) => model))("the default catalogue knows the demo's %s", (model) => {
  expect(lookupModel(loadCatalogue().entries, model).source).not.toBe("unknown");
});
