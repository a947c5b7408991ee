import { describe, expect, it } from "vitest";
import { prng } from "../platform/prng";
import { type AdjustOptions, adjust } from "./adjust";

// The adjustment proven against a known truth: a classifier with a known confusion matrix, true
// shares known; each run draws a calibration set and an observed sample from them, adjusts, and
// checks whether each interval covers the true share.

const TRUE_P = [0.4, 0.3, 0.2, 0.1];
const TRUE_M = [
  [0.8, 0.05, 0.05, 0.1],
  [0.1, 0.6, 0.1, 0.2],
  [0.05, 0.1, 0.7, 0.15],
  [0.05, 0.05, 0.1, 0.8],
];
const RUNS = 1000;

/** Calibration texts per true class, and sampled events: which uncertainty dominates. */
interface Scenario {
  perClass: number;
  n: number;
}
const SMALL_CALIBRATION: Scenario = { perClass: 80, n: 4000 };
const SMALL_SAMPLE: Scenario = { perClass: 2000, n: 400 };

const bump = (xs: number[], i: number, by: number) => {
  xs[i] = (xs[i] ?? 0) + by;
};

function categorical(rand: () => number, p: readonly number[]): number {
  let u = rand();
  for (let i = 0; i < p.length; i++) {
    u -= p[i] ?? 0;
    if (u < 0) return i;
  }
  return p.length - 1;
}

function simulate({ perClass, n: N }: Scenario, opts: AdjustOptions = {}, runs = RUNS) {
  const rand = prng(2026);
  let covered = 0;
  let checks = 0;
  const observedMean = TRUE_P.map(() => 0);
  for (let run = 0; run < runs; run++) {
    const counts = TRUE_M.map((row) => {
      const c = row.map(() => 0);
      for (let t = 0; t < perClass; t++) bump(c, categorical(rand, row), 1);
      return c;
    });
    const seen = TRUE_P.map(() => 0);
    for (let e = 0; e < N; e++) bump(seen, categorical(rand, TRUE_M[categorical(rand, TRUE_P)] ?? []), 1);
    const observed = seen.map((s) => s / N);
    for (const [i, q] of observed.entries()) bump(observedMean, i, q / runs);
    const a = adjust({ counts, observed, n: N }, { draws: 400, seed: run + 1, ...opts });
    TRUE_P.forEach((p, i) => {
      checks++;
      if ((a.low[i] ?? 2) <= p && p <= (a.high[i] ?? -1)) covered++;
    });
  }
  return { coverage: covered / checks, observedMean };
}

describe.each([
  ["a small calibration set", SMALL_CALIBRATION, "calibration"],
  ["a small sample", SMALL_SAMPLE, "sample"],
] as const)("adjusted shares with %s, simulated against known truth", (_, scenario, dominant) => {
  const full = simulate(scenario);
  it(`the 95% interval covers each true share 93-97% of the time over ${RUNS} runs`, () => {
    expect(full.coverage).toBeGreaterThanOrEqual(0.93);
    expect(full.coverage).toBeLessThanOrEqual(0.97);
  });
  it("unadjusted (observed) shares are visibly biased: the last class by +10 points, the second by -7", () => {
    expect((full.observedMean[3] ?? 0) - (TRUE_P[3] ?? 0)).toBeGreaterThan(0.09);
    expect((full.observedMean[1] ?? 0) - (TRUE_P[1] ?? 0)).toBeLessThan(-0.06);
  });
  it(`without the ${dominant}'s own uncertainty the interval is too narrow`, () => {
    expect(simulate(scenario, { [dominant]: false }, 300).coverage).toBeLessThan(0.85);
  });
});
