import { describe, expect, it } from "vitest";
import { totalsOf } from "./totals";

describe("totalsOf", () => {
  it.each([
    { name: "no rows", rows: [], out: [] },
    {
      name: "sums per period, in the rows' order",
      rows: [
        { period: "2025-01-06", events: 20, value: 200, estimated: 800 },
        { period: "2025-01-06", events: 12, value: 10, estimated: 24 },
        { period: "2025-01-13", events: 11, value: 5, estimated: 10 },
      ],
      out: [
        { period: "2025-01-06", events: 32, value: 210, estimated: 824 },
        { period: "2025-01-13", events: 11, value: 5, estimated: 10 },
      ],
    },
  ])("$name", ({ rows, out }) => {
    expect(totalsOf(rows)).toEqual(out);
  });
});
