import { describe, expect, it } from "vitest";
import { withParents } from "../taxonomy/categories";
import { loadCategoryList } from "../taxonomy/load";
import { answer, detectLanguage } from "./answer";

const opts = {
  v1Paths: loadCategoryList("google/content-categories-v1.txt"),
  v2Paths: loadCategoryList("google/content-categories-v2.txt"),
  minWords: 3,
};
const v2Known = withParents(opts.v2Paths);
const v1Known = new Set(opts.v1Paths);

describe("emulator answer", () => {
  it.each([
    ["fix this python function that throws a stack trace", "/Computers & Electronics/Programming/Other"],
    ["please translate this letter into french", "/Reference/Language Resources/Foreign Language Resources"],
    ["let us roleplay, you are my dungeon master", "/Games/Roleplaying Games"],
    ["write a haiku about autumn leaves", "/Books & Literature/Poetry"],
  ])("%s -> %s", (content, path) => {
    const a = answer({ content, categories: "v2" }, opts);
    expect(a.ok && a.categories[0]?.name).toBe(path);
  });

  it("answers only with real category names, in both versions", () => {
    for (const content of [
      "the quick brown fox jumps over",
      "fix my python bug please now",
      "a b c d e f g",
    ]) {
      const v2 = answer({ content, categories: "v2" }, opts);
      const v1 = answer({ content, categories: "v1" }, opts);
      if (!v2.ok || !v1.ok) throw new Error("expected answers");
      for (const c of v2.categories) expect(v2Known.has(c.name), c.name).toBe(true);
      for (const c of v1.categories) expect(v1Known.has(c.name), c.name).toBe(true);
    }
  });

  it("is deterministic", () => {
    const a = answer({ content: "an ordinary sentence about gardening tomatoes", categories: "v2" }, opts);
    const b = answer({ content: "an ordinary sentence about gardening tomatoes", categories: "v2" }, opts);
    expect(a).toEqual(b);
  });

  it.each([
    ["two words", { status: "INVALID_ARGUMENT", httpStatus: 400, message: /too few tokens/ }],
    ["long enough text [[emulate:429]]", { status: "RESOURCE_EXHAUSTED", httpStatus: 429, message: /Quota/ }],
    ["long enough text [[emulate:503]]", { status: "UNAVAILABLE", httpStatus: 503, message: /unavailable/ }],
    [
      "long enough text [[emulate:403]]",
      { status: "PERMISSION_DENIED", httpStatus: 403, message: /Permission/ },
    ],
    [
      "long enough text [[emulate:too-short]]",
      { status: "INVALID_ARGUMENT", httpStatus: 400, message: /too few tokens/ },
    ],
    [
      "long enough text [[emulate:lang=sw]]",
      { status: "INVALID_ARGUMENT", httpStatus: 400, message: /language sw is not supported/ },
    ],
    [
      "هذا نص عربي طويل بما يكفي للتصنيف",
      { status: "INVALID_ARGUMENT", httpStatus: 400, message: /language ar/ },
    ],
  ])("%s -> error", (content, expected) => {
    const a = answer({ content, categories: "v2" }, opts);
    expect(a.ok).toBe(false);
    if (!a.ok) {
      expect(a).toMatchObject({ status: expected.status, httpStatus: expected.httpStatus });
      expect(a.message).toMatch(expected.message);
    }
  });

  it("the legacy V1 model is English only", () => {
    const a = answer({ content: "ceci est un texte assez long [[emulate:lang=fr]]", categories: "v1" }, opts);
    expect(a.ok).toBe(false);
    expect(
      answer({ content: "ceci est un texte assez long [[emulate:lang=fr]]", categories: "v2" }, opts).ok,
    ).toBe(true);
  });

  it.each([
    ["hello world", "en"],
    ["こんにちは世界", "ja"],
    ["안녕하세요", "ko"],
    ["你好世界", "zh"],
    ["привет мир", "ru"],
  ])("detects %s as %s", (text, lang) => {
    expect(detectLanguage(text)).toBe(lang);
  });
});
