import { describe, expect, it } from "vitest";
import { totalsOf } from "./totals";

describe("totalsOf", () => {
  it.each([
    { name: "no rows", rows: [], out: [] },
    {
      name: "suppressed cells add nothing and are counted",
      rows: [
        { period: "2025-01-06", suppressed: false, events: 20, value: 200, estimated: 800 },
        { period: "2025-01-06", suppressed: true, events: null, value: null, estimated: null },
        { period: "2025-01-13", suppressed: false, events: 11, value: 5, estimated: 10 },
      ],
      out: [
        { period: "2025-01-06", events: 20, value: 200, estimated: 800, suppressedCells: 1 },
        { period: "2025-01-13", events: 11, value: 5, estimated: 10, suppressedCells: 0 },
      ],
    },
  ])("$name", ({ rows, out }) => {
    const totals = totalsOf(rows);
    expect(totals).toEqual(out);
    // the property the privacy floor needs: total minus the shown cells is exactly zero
    for (const t of totals) {
      const shown = rows
        .filter((r) => r.period === t.period && !r.suppressed)
        .reduce((s, r) => s + (r.events ?? 0), 0);
      expect(t.events - shown).toBe(0);
    }
  });
});
