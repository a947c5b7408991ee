// 95% intervals for the shares of the stats answers (docs/analytics.md "Error bars").
//
// A share is a ratio of two Horvitz-Thompson estimates, R = Y_row / Y_all, from a Bernoulli
// sample (each event kept with its own probability p). Every rollup row keeps, per weight x,
// `var` = Σ (1 - p) / p² · x² over its events: the unbiased variance estimate of its `estimated`.
// Linearised (delta method), with the row's events a subset of its partition's,
//
//   V(R) = [ var_row · (1 - R)² + (var_all - var_row) · R² ] / Y_all²,
//
// from sums that add across released units, so an interval uses released units only and the
// floor's argument holds. Two refinements, each needed to reach 95% in the simulation
// (interval.sim.test.ts) with heavy-tailed token counts:
// - var_row has a floor: the partition's variance scaled to the row as if its events' weights were
//   as spread as the partition's, var_all · (Y_row / Y_all)² · (N_all / N_row) (N: estimated
//   requests). A small row's own var_row is low exactly when the sample missed its few very long
//   prompts, which is when its estimate is low too; alone it covered a 1% token share ~89%.
// - The interval is built on the logit scale, se = √V / (R (1 - R)), and mapped back: it stays
//   inside [0, 1] and reaches further up than down from small shares, as their error does.

/** The normal quantile of a two-sided 95% interval. */
export const Z95 = 1.959963984540054;

export interface ShareMoments {
  /** The share, R. */
  share: number;
  /** The row's variance sum, var_row. */
  variance: number;
  /** The partition's estimate (the share's denominator), Y_all. */
  total: number;
  /** The partition's variance sum, var_all. */
  totalVariance: number;
  /** The row's and the partition's estimated requests (N_row, N_all), for var_row's floor. */
  requests: number;
  totalRequests: number;
}

/** The linearised variance of the share (never negative: rounded sums can make it so). */
export function shareVariance(m: ShareMoments): number {
  if (!(m.total > 0)) return 0;
  const r = m.share;
  const spread = m.requests > 0 ? m.totalVariance * r * r * (m.totalRequests / m.requests) : 0;
  const own = Math.max(m.variance, spread);
  // the rest of the partition apart: raising the row's own term then only widens the interval
  const rest = Math.max(0, m.totalVariance - m.variance);
  return (own * (1 - r) ** 2 + rest * r * r) / (m.total * m.total);
}

const logit = (p: number) => Math.log(p / (1 - p));
const expit = (x: number) => 1 / (1 + Math.exp(-x));

/** The 95% interval [low, high] of a share; a point where the share is 0, 1 or known exactly. */
export function shareInterval(m: ShareMoments, z = Z95): { low: number; high: number } {
  const r = m.share;
  const v = shareVariance(m);
  if (!(r > 0 && r < 1) || v === 0) return { low: r, high: r };
  const se = Math.sqrt(v) / (r * (1 - r));
  return { low: expit(logit(r) - z * se), high: expit(logit(r) + z * se) };
}

/** 12 significant digits, as analytics.sig publishes every decimal. */
const sig = (x: number) => (x === 0 || !Number.isFinite(x) ? x : Number(x.toPrecision(12)));

export interface ShareRow {
  share: number | null;
  /** The row's estimate of the share's weight, and its variance sum. */
  estimated: number;
  variance: number;
  /** The row's estimated requests. */
  requests: number;
}

/**
 * Intervals of the shares of `rows`, in order: each share's partition (`partition(row)`) is the
 * rows with a share that have the same key, which is how the SQL functions divide. A row with no
 * share gets nulls.
 */
export function shareIntervals<R extends ShareRow>(
  rows: readonly R[],
  partition: (row: R) => string,
): { low: number | null; high: number | null }[] {
  const sums = new Map<string, { total: number; totalVariance: number; totalRequests: number }>();
  for (const r of rows) {
    if (r.share === null) continue;
    const s = sums.get(partition(r)) ?? { total: 0, totalVariance: 0, totalRequests: 0 };
    s.total += r.estimated;
    s.totalVariance += r.variance;
    s.totalRequests += r.requests;
    sums.set(partition(r), s);
  }
  return rows.map((r) => {
    const s = sums.get(partition(r));
    if (r.share === null || s === undefined) return { low: null, high: null };
    const i = shareInterval({ share: r.share, variance: r.variance, requests: r.requests, ...s });
    return { low: sig(i.low), high: sig(i.high) };
  });
}
