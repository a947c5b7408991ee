import { describe, expect, it } from "vitest";
import { toCsv } from "./csv";

describe("toCsv", () => {
  it.each([
    // the header row is text too, so it is quoted like every other text cell
    { name: "empty with columns", rows: [], cols: ["a", "b"], out: '"a","b"\r\n' },
    { name: "nulls are empty", rows: [{ a: 1, b: null }], cols: undefined, out: '"a","b"\r\n1,\r\n' },
    {
      name: "text is quoted, quotes doubled, booleans spelled",
      rows: [{ a: 'x,"y"', b: true }],
      cols: undefined,
      out: '"a","b"\r\n"x,""y""",true\r\n',
    },
    {
      name: "newlines stay inside quotes",
      rows: [{ a: "l1\nl2" }],
      cols: undefined,
      out: '"a"\r\n"l1\nl2"\r\n',
    },
    { name: "negative numbers are numbers", rows: [{ a: -0.5 }], cols: undefined, out: '"a"\r\n-0.5\r\n' },
  ])("$name", ({ rows, cols, out }) => {
    expect(toCsv(rows, cols)).toBe(out);
  });

  // OWASP CSV injection: each of these would run as a formula in a spreadsheet.
  it.each([
    ['=HYPERLINK("http://x","y")', '"\'=HYPERLINK(""http://x"",""y"")"'],
    ["+cmd|' /C calc'!A0", "\"'+cmd|' /C calc'!A0\""],
    ["-2+3", '"\'-2+3"'],
    ["@SUM(1+1)/m", '"\'@SUM(1+1)/m"'],
    ["\tlead", '"\'\tlead"'],
    ["\rlead", '"\'\rlead"'],
    ["\uFF1D1+1", '"\'\uFF1D1+1"'],
    ["openai/gpt-5", '"openai/gpt-5"'],
  ])("%j is neutralised", (author, cell) => {
    expect(toCsv([{ author }])).toBe(`"author"\r\n${cell}\r\n`);
  });
});
