import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PRINTABLE } from "./vocabulary";

// The rule itself, as Unicode names it; PRINTABLE writes it without \p and flags (see vocabulary.ts).
const RULE = /^[^\p{Cc}\p{Cs}]+$/u;
// how JSON Schema validators compile a published pattern: some with `u`, some without
const withU = new RegExp(PRINTABLE.source, "u");

describe("PRINTABLE", () => {
  it.each([
    ["anthropic/claude-sonnet-4.5", true],
    ["模型/名字", true],
    ["emoji 😀 pair", true],
    ["a\u0000b", false],
    ["tab\there", false],
    ["new\nline", false],
    ["del \u007F", false],
    ["c1 \u0085 control", false],
    ["lone \uD800 surrogate", false],
    ["lone low \uDC00 surrogate", false],
    ["reversed pair \uDE00\uD83D", false],
    ["", false],
  ])("%j -> %s, with and without the u flag", (model, expected) => {
    expect(PRINTABLE.test(model)).toBe(expected);
    expect(withU.test(model)).toBe(expected);
    expect(RULE.test(model)).toBe(expected);
  });

  it("has no flags, so its source is a pattern any JSON Schema validator reads alike", () => {
    expect(PRINTABLE.flags).toBe("");
    expect(PRINTABLE.source).not.toMatch(/\\p\{/);
  });

  it("agrees with \\p{Cc}\\p{Cs} on any string, compiled with or without u", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 12 }), (s) => {
        expect(PRINTABLE.test(s)).toBe(RULE.test(s));
        expect(withU.test(s)).toBe(RULE.test(s));
      }),
      { numRuns: 20_000, seed: 20 },
    );
  });
});
