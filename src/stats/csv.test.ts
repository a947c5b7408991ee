import { describe, expect, it } from "vitest";
import { toCsv } from "./csv";

describe("toCsv", () => {
  it.each([
    { name: "empty with columns", rows: [], cols: ["a", "b"], out: "a,b\r\n" },
    { name: "nulls are empty", rows: [{ a: 1, b: null }], cols: undefined, out: "a,b\r\n1,\r\n" },
    {
      name: "quotes commas and quotes",
      rows: [{ a: 'x,"y"', b: true }],
      cols: undefined,
      out: 'a,b\r\n"x,""y""",true\r\n',
    },
    { name: "newlines are quoted", rows: [{ a: "l1\nl2" }], cols: undefined, out: 'a\r\n"l1\nl2"\r\n' },
  ])("$name", ({ rows, cols, out }) => {
    expect(toCsv(rows, cols)).toBe(out);
  });
});
