import { prng } from "../platform/prng";
import { nnls, solveLinear } from "./nnls";
import { dirichlet } from "./random";

// Adjusted classify-and-count (Forman 2008; Buonaccorsi 2010, ch. 3): a classifier that confuses
// class i for class j with probability M[i][j] turns true shares p into observed shares
// q = Mᵀp. Knowing M from a calibration set (census eval --save), solve q = Mᵀp for p on the
// simplex. The interval is a Bayesian bootstrap over both things that are uncertain: each row of
// M (Dirichlet over the calibration set's counts of that true class) and q (Dirichlet over the
// sample's counts), the shares re-solved for each draw and the percentiles taken.

export type Counts = readonly (readonly number[])[];

/** P(pred = j | true = i) from counts; a true class with no calibration text is taken as always right. */
export function conditional(counts: Counts): { m: number[][]; unsupported: number[] } {
  const unsupported: number[] = [];
  const m = counts.map((row, i) => {
    const n = row.reduce((s, c) => s + c, 0);
    if (n > 0) return row.map((c) => c / n);
    unsupported.push(i);
    return row.map((_, j) => (i === j ? 1 : 0));
  });
  return { m, unsupported };
}

/** The weight of the sum-to-one row: large enough that the sum is 1 to ~1e-6 before rescaling. */
const SUM_WEIGHT = 1e3;

/** Shares p >= 0, summing to 1, whose confused image Mᵀp is nearest (least squares) the observed q. */
export function solveShares(m: Counts, q: readonly number[], support?: readonly boolean[]): number[] {
  const k = q.length;
  // Fast path: M's rows and q each sum to 1, so an exact solution of Mᵀp = q sums to 1 too; when
  // it is also non-negative it is the answer, with no iteration.
  const exact = solveLinear(
    Array.from({ length: k }, (_, j) => m.map((row) => row[j] ?? 0)),
    q,
  );
  if (exact?.every((x) => x >= 0)) return exact;
  const a = [
    ...Array.from({ length: k }, (_, j) => m.map((row) => row[j] ?? 0)),
    new Array(k).fill(SUM_WEIGHT),
  ];
  const p = nnls(a, [...q, SUM_WEIGHT], support);
  const sum = p.reduce((s, x) => s + x, 0);
  return sum > 0 ? p.map((x) => x / sum) : p;
}

export interface AdjustInput {
  /** counts[true][predicted] of the calibration set, classes in one order. */
  counts: Counts;
  /** Observed (predicted) shares of the same classes, summing to 1. */
  observed: readonly number[];
  /** How many sampled events the observed shares come from. */
  n: number;
  /** Report shares among these classes only (the named categories); others answer null. */
  among?: readonly boolean[];
}

export interface AdjustOptions {
  draws?: number;
  seed?: number;
  level?: number;
  /** Draw M's rows (the calibration set's own uncertainty); off only to show it matters. */
  calibration?: boolean;
  /** Draw the observed shares (the sample's uncertainty). */
  sample?: boolean;
}

export interface Adjusted {
  share: (number | null)[];
  low: (number | null)[];
  high: (number | null)[];
  /** Classes with no calibration text: taken as correctly classified. */
  unsupported: number[];
}

function among(p: readonly number[], keep: readonly boolean[] | undefined): (number | null)[] {
  if (!keep) return [...p];
  const total = p.reduce((s, x, i) => s + (keep[i] ? x : 0), 0);
  return p.map((x, i) => (keep[i] ? (total > 0 ? x / total : 0) : null));
}

function quantile(sorted: readonly number[], f: number): number {
  const at = f * (sorted.length - 1);
  const lo = Math.floor(at);
  const a = sorted[lo] ?? 0;
  return a + ((sorted[Math.min(lo + 1, sorted.length - 1)] ?? a) - a) * (at - lo);
}

/** The adjusted shares and their percentile intervals (95% by default). */
export function adjust(input: AdjustInput, opts: AdjustOptions = {}): Adjusted {
  const { draws = 400, seed = 1, level = 0.95, calibration = true, sample = true } = opts;
  const { m, unsupported } = conditional(input.counts);
  const point = solveShares(m, input.observed);
  const share = among(point, input.among);
  const support = point.map((x) => x > 0);
  const rand = prng(seed);
  const samples = share.map(() => [] as number[]);
  const alpha = input.observed.map((q) => q * input.n);
  for (let d = 0; d < draws; d++) {
    const md = calibration
      ? input.counts.map((row, i) => (unsupported.includes(i) ? (m[i] as number[]) : dirichlet(rand, row)))
      : m;
    const qd = sample ? dirichlet(rand, alpha) : input.observed;
    among(solveShares(md, qd, support), input.among).forEach((x, i) => {
      if (x !== null) samples[i]?.push(x);
    });
  }
  const tail = (1 - level) / 2;
  const sorted = samples.map((s) => s.sort((a, b) => a - b));
  // the point estimate always lies in its interval (a percentile can miss it at the simplex's edge)
  const bound = (f: number, side: (a: number, b: number) => number) =>
    sorted.map((s, i) => {
      const x = share[i];
      return x === null || x === undefined ? null : side(quantile(s, f), x);
    });
  return { share, low: bound(tail, Math.min), high: bound(1 - tail, Math.max), unsupported };
}
