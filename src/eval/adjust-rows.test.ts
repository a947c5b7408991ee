import { describe, expect, it } from "vitest";
import { adjustRows } from "./adjust-rows";

const rows = [
  { period: "2026-01-05", category: "programming", events: 60, value: 600 },
  { period: "2026-01-05", category: "translation", events: 20, value: 200 },
  { period: "2026-01-05", category: "others", events: 20, value: 200 },
  { period: "2026-01-12", category: "programming", events: 50, value: 100 },
  { period: "2026-01-12", category: "translation", events: 50, value: 300 },
];

describe("adjustRows", () => {
  it("a calibration that never errs leaves the named shares as observed, per period", () => {
    const perfect = {
      programming: { programming: 50 },
      translation: { translation: 50 },
      others: { others: 50 },
    };
    const { rows: out, unsupported } = adjustRows(rows, perfect, { draws: 50 });
    expect(unsupported).toEqual([]);
    expect(out.map((r) => [r.period, r.category, Number(r.share.toFixed(6))])).toEqual([
      ["2026-01-05", "programming", 0.75],
      ["2026-01-05", "translation", 0.25],
      ["2026-01-12", "programming", 0.25],
      ["2026-01-12", "translation", 0.75],
    ]);
  });

  it("moves share back to the class the classifier loses, and names classes it has no texts of", () => {
    // half of the translation texts are taken for others; programming has no calibration text
    const leaky = { translation: { translation: 50, others: 50 }, others: { others: 100 } };
    const { rows: out, unsupported } = adjustRows(rows.slice(0, 3), leaky, { draws: 50 });
    expect(unsupported).toEqual(["programming"]);
    const translation = out.find((r) => r.category === "translation");
    // observed 0.2 of all; true 0.4 of all: among named 0.4 / (0.6 + 0.4)
    expect(translation?.share).toBeCloseTo(0.4, 6);
  });
});
