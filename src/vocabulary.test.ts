import { describe, expect, it } from "vitest";
import { PRINTABLE } from "./vocabulary";

describe("PRINTABLE", () => {
  it.each([
    ["anthropic/claude-sonnet-4.5", true],
    ["模型/名字", true],
    ["a\u0000b", false],
    ["tab\there", false],
    ["new\nline", false],
    ["c1 \u0085 control", false],
    ["lone \uD800 surrogate", false],
  ])("%j -> %s", (model, expected) => {
    expect(PRINTABLE.test(model)).toBe(expected);
  });
});
