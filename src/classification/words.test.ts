import { describe, expect, it } from "vitest";
import { countWords } from "./words";

describe("countWords", () => {
  it.each([
    ["", 0],
    ["hi", 1],
    ["  hello,   world!  ", 2],
    ["don't stop", 2],
    ["version 2.5.1 of node_modules", 4],
    ["👍👍", 0],
    ["把这段话翻译成英文", 7], // 把 这 段 话 翻译 成 英文: split, not one run
    ["これを英語に翻訳して", 7],
    ["Переведи это на английский", 4],
  ])("%j -> %i", (text, n) => {
    expect(countWords(text)).toBe(n);
  });

  it("stops at upTo", () => {
    expect(countWords("one two three four five", 3)).toBe(3);
  });
});
