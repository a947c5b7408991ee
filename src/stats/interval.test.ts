import { describe, expect, it } from "vitest";
import { type ShareMoments, shareInterval, shareIntervals, shareVariance } from "./interval";

const m = (o: Partial<ShareMoments>): ShareMoments => ({
  share: 0.25,
  variance: 0,
  total: 100,
  totalVariance: 0,
  requests: 25,
  totalRequests: 100,
  ...o,
});

describe("shareVariance", () => {
  it.each<[string, Partial<ShareMoments>, number]>([
    // [var_row (1 - R)² + (var_all - var_row) R²] / Y_all², var_row floored at var_all R² N_all / N_row
    ["a census: no variance", {}, 0],
    ["the row's own variance", { variance: 40, totalVariance: 100 }, (40 * 0.5625 + 60 * 0.0625) / 1e4],
    [
      "floored by the partition's spread",
      { variance: 10, totalVariance: 100 },
      (25 * 0.5625 + 90 * 0.0625) / 1e4,
    ],
    // the spend case: a floored large share must still get a width, never 0
    [
      "a large share floored",
      { share: 0.9, variance: 60, totalVariance: 62, requests: 60, totalRequests: 100 },
      (((62 * 0.81 * 100) / 60) * 0.01 + 2 * 0.81) / 1e4,
    ],
    ["a share of one: nothing varies", { share: 1, variance: 50, totalVariance: 50 }, 0],
    ["an empty partition", { total: 0, variance: 5, totalVariance: 5 }, 0],
    [
      "a partition sum under the row's (rounding) counts as 0",
      { share: 0.9, variance: 100, totalVariance: 0 },
      1e-4,
    ],
  ])("%s", (_, o, expected) => {
    expect(shareVariance(m(o))).toBeCloseTo(expected, 12);
  });
});

describe("shareInterval", () => {
  it.each<[string, Partial<ShareMoments>, number, number]>([
    ["no variance: the share itself", {}, 0.25, 0.25],
    ["a share of 0", { share: 0, variance: 0, totalVariance: 9 }, 0, 0],
    ["a share of 1", { share: 1, variance: 9, totalVariance: 9 }, 1, 1],
    // V = (40 · 0.5625 + 80 · 0.0625) / 100² = 0.00275, se(logit) = √V / 0.1875 = 0.27968;
    // expit(logit(0.25) ± 1.96 se) = expit(-1.0986 ± 0.5482)
    ["on the logit scale", { variance: 40, totalVariance: 120 }, 0.16154, 0.36577],
  ])("%s", (_, o, low, high) => {
    const i = shareInterval(m(o));
    expect(i.low).toBeCloseTo(low, 4);
    expect(i.high).toBeCloseTo(high, 4);
  });

  it.each([0.001, 0.01, 0.3, 0.5, 0.97])("stays in [0, 1] and holds the share %s", (share) => {
    const i = shareInterval(m({ share, variance: 5000, totalVariance: 9000 }));
    expect(0 <= i.low && i.low <= share && share <= i.high && i.high <= 1).toBe(true);
  });

  it("reaches further up than down from a small share, as its error does", () => {
    const i = shareInterval(m({ share: 0.02, requests: 2, variance: 4, totalVariance: 100 }));
    expect(i.high - 0.02).toBeGreaterThan(0.02 - i.low);
  });
});

describe("shareIntervals", () => {
  it("divides within each partition, among the rows with a share", () => {
    const rows = [
      { p: "a", share: 0.5, estimated: 10, variance: 4, requests: 10 },
      { p: "a", share: 0.5, estimated: 10, variance: 4, requests: 10 },
      { p: "a", share: null, estimated: 1000, variance: 1e6, requests: 1000 }, // others: not in it
      { p: "b", share: 1, estimated: 5, variance: 3, requests: 5 },
    ];
    const out = shareIntervals(rows, (r) => r.p);
    const only = shareInterval({
      share: 0.5,
      variance: 4,
      total: 20,
      totalVariance: 8,
      requests: 10,
      totalRequests: 20,
    });
    expect(out[0]?.low).toBeCloseTo(only.low, 10);
    expect(out[1]?.high).toBeCloseTo(only.high, 10);
    expect(out[2]).toEqual({ low: null, high: null });
    expect(out[3]).toEqual({ low: 1, high: 1 });
  });
});
