import { describe, expect, it } from "vitest";
import { EARLIEST, hasVisibleText, inTimeWindow } from "./limits";

describe("hasVisibleText", () => {
  it.each([
    ["empty", "", false],
    ["spaces, tabs and newlines", " \t\r\n ", false],
    ["NULs", "\u0000\u0000\u0000", false],
    ["zero-width space, joiners, BOM, word joiner", "\u200B\u200C\u200D\uFEFF\u2060", false],
    ["bidi marks and no-break spaces", "\u200E\u200F\u00A0\u202F\u3000", false],
    ["hangul and braille fillers", "\u3164\u2800\u115F", false],
    ["lone surrogates (low before high)", "\uDFFF\uD800", false],
    ["a word", "hello", true],
    ["one letter among zero-width", "\u200Ba\u200B", true],
    ["CJK", "漢字", true],
    ["emoji", "😀", true],
    ["digits", "42", true],
  ])("%s -> %s", (_name, text, expected) => {
    expect(hasVisibleText(text)).toBe(expected);
  });
});

describe("inTimeWindow", () => {
  const now = Date.UTC(2026, 11, 1, 12);
  it.each([
    ["2000-01-01, the first instant", EARLIEST, true],
    ["one ms before", EARLIEST - 1, false],
    ["now", now, true],
    ["a day ahead", now + 86_400_000, true],
    ["a day and a ms ahead", now + 86_400_001, false],
    ["year 10000", Date.parse("9999-12-31T23:59:59-23:59"), false],
    ["year 0", Date.parse("0000-01-01T00:00:00Z"), false],
    ["NaN", Number.NaN, false],
  ])("%s -> %s", (_name, ms, expected) => {
    expect(inTimeWindow(ms, now)).toBe(expected);
  });
});
