import { describe, expect, it } from "vitest";
import { formatRows, formatTable, uniqueNames } from "./table";

describe("formatRows", () => {
  it.each([
    { name: "no rows", rows: [], out: "(0 rows)" },
    {
      name: "aligned columns, nulls empty, dates ISO",
      rows: [
        { category: "programming", n: 3, at: new Date("2025-06-02T14:00:00Z") },
        { category: "roleplay", n: null, at: null },
      ],
      out: [
        "category    | n | at",
        "------------+---+-------------------------",
        "programming | 3 | 2025-06-02T14:00:00.000Z",
        "roleplay    |   |",
        "(2 rows)",
      ].join("\n"),
    },
    { name: "objects as JSON", rows: [{ j: { a: 1 } }], out: 'j\n-------\n{"a":1}\n(1 row)' },
  ])("$name", ({ rows, out }) => {
    expect(formatRows(rows)).toBe(out);
  });
});

describe("formatTable", () => {
  it("prints every column, two of one name included", () => {
    expect(formatTable(["count", "count"], [[1200, 7]])).toBe(
      "count | count\n------+------\n1200  | 7\n(1 row)",
    );
  });
});

describe("uniqueNames", () => {
  it.each([
    [
      ["a", "b"],
      ["a", "b"],
    ],
    [
      ["a", "a"],
      ["a", "a_2"],
    ],
    [
      ["count", "count", "x", "count"],
      ["count", "count_2", "x", "count_3"],
    ],
  ])("%j -> %j", (cols, names) => {
    expect(uniqueNames(cols)).toEqual(names);
  });
});
