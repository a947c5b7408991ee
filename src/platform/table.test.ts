import { describe, expect, it } from "vitest";
import { formatRows } from "./table";

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
