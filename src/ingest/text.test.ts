import { describe, expect, it } from "vitest";
import type { TextFrom } from "../vocabulary";
import { countCodePoints, extractText, truncateCodePoints } from "./text";

const GRIN = "\u{1F600}"; // one code point, two UTF-16 units
const E_ACUTE_COMBINING = "e\u0301"; // two code points, one visible character

describe("truncateCodePoints", () => {
  it.each([
    { name: "empty", text: "", max: 1000, out: "", chars: 0 },
    { name: "shorter than the cap", text: "hello", max: 1000, out: "hello", chars: 5 },
    { name: "exactly the cap", text: "a".repeat(1000), max: 1000, out: "a".repeat(1000), chars: 1000 },
    { name: "one over the cap", text: "a".repeat(1001), max: 1000, out: "a".repeat(1000), chars: 1000 },
    {
      name: "astral characters count once",
      text: GRIN.repeat(1000),
      max: 1000,
      out: GRIN.repeat(1000),
      chars: 1000,
    },
    {
      name: "astral over the cap keeps pairs whole",
      text: GRIN.repeat(1001),
      max: 1000,
      out: GRIN.repeat(1000),
      chars: 1000,
    },
    {
      name: "pair straddling the cap is dropped whole",
      text: `${"a".repeat(999)}${GRIN}b`,
      max: 1000,
      out: `${"a".repeat(999)}${GRIN}`,
      chars: 1000,
    },
    {
      name: "pair just past the cap is not split",
      text: `${"a".repeat(1000)}${GRIN}`,
      max: 1000,
      out: "a".repeat(1000),
      chars: 1000,
    },
    {
      name: "combining marks are code points",
      text: E_ACUTE_COMBINING.repeat(3),
      max: 3,
      out: `e\u0301e`,
      chars: 3,
    },
    { name: "lone high surrogate counts as one", text: "\uD83Dabc", max: 2, out: "\uD83Da", chars: 2 },
    { name: "CJK", text: "漢字かな交じり文", max: 4, out: "漢字かな", chars: 4 },
  ])("$name", ({ text, max, out, chars }) => {
    const result = truncateCodePoints(text, max);
    expect(result.text).toBe(out);
    expect(result.chars).toBe(chars);
    expect(countCodePoints(result.text)).toBe(chars);
    // never ends on a high surrogate whose pair was cut
    expect(
      /[\uD800-\uDBFF]$/.test(result.text) &&
        text.length > result.text.length &&
        /[\uDC00-\uDFFF]/.test(text[result.text.length] ?? ""),
    ).toBe(false);
  });

  it("matches Array.from for mixed strings of every cap", () => {
    const text = `ab${GRIN}c${E_ACUTE_COMBINING}𝔘${GRIN}${GRIN}z`;
    const points = Array.from(text);
    for (let max = 0; max <= points.length + 1; max++) {
      expect(truncateCodePoints(text, max).text).toBe(points.slice(0, max).join(""));
    }
  });
});

describe("extractText", () => {
  it.each([
    { name: "prompt as is", input: { prompt: "hi there" }, out: "hi there" },
    { name: "empty prompt", input: { prompt: "" }, out: "" },
    {
      name: "messages joined by a blank line, in order",
      input: {
        messages: [
          { role: "system", content: "be brief" },
          { role: "user", content: "what is 2+2" },
        ],
      },
      out: "be brief\n\nwhat is 2+2",
    },
    {
      name: "only text parts count",
      input: {
        messages: [
          {
            role: "user",
            content: [
              { type: "text", text: "describe" },
              { type: "image_url", image_url: { url: "data:..." } },
              { type: "text", text: "this image" },
            ],
          },
        ],
      },
      out: "describe\n\nthis image",
    },
    {
      name: "null and empty contents are skipped",
      input: { messages: [{ role: "assistant", content: null }, { content: "" }, { content: "x" }] },
      out: "x",
    },
    {
      name: "image-only chat has no text",
      input: { messages: [{ content: [{ type: "image_url" }] }] },
      out: "",
    },
  ])("$name", ({ input, out }) => {
    expect(extractText(input as Parameters<typeof extractText>[0])).toBe(out);
  });
});

describe("extractText with TEXT_FROM", () => {
  const chat = {
    messages: [
      { role: "system", content: "You are a coding agent with a very long system prompt." },
      { role: "user", content: "first question" },
      { role: "assistant", content: "an answer" },
      { role: "user", content: [{ type: "text", text: "translate this to French" }] },
    ],
  };
  it.each([
    [
      "prompt: every message in order, the system prompt first (the study's rule)",
      chat,
      "prompt",
      "You are a coding agent with a very long system prompt.\n\nfirst question\n\nan answer\n\ntranslate this to French",
    ],
    ["last-user: the last user message only", chat, "last-user", "translate this to French"],
    [
      "last-user with no user message: the whole chat",
      { messages: [{ role: "system", content: "only a system prompt" }] },
      "last-user",
      "only a system prompt",
    ],
    ["last-user on a plain prompt: the prompt", { prompt: "plain" }, "last-user", "plain"],
  ] as [string, Parameters<typeof extractText>[0], TextFrom, string][])("%s", (_name, input, from, text) => {
    expect(extractText(input, from)).toBe(text);
  });
});
