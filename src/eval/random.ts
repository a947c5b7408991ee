// Seeded draws for the adjustment's bootstrap (src/platform/prng.ts underneath), so an answer and
// a simulation are the same every run.

/** A standard normal draw (Box-Muller; one of the pair is dropped for simplicity). */
export function normal(rand: () => number): number {
  const u = 1 - rand(); // (0, 1]: log(0) would be -Infinity
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

/** A Gamma(shape, 1) draw (Marsaglia and Tsang 2000); shape 0 gives 0, a point mass. */
export function gamma(rand: () => number, shape: number): number {
  if (shape <= 0) return 0;
  if (shape < 1) return gamma(rand, shape + 1) * (1 - rand()) ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normal(rand);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - rand();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

/**
 * A Dirichlet(alpha) draw: the Bayesian bootstrap of counts (a zero count stays zero). All zero
 * gives all zero: the caller decides what an empty row means.
 */
export function dirichlet(rand: () => number, alpha: readonly number[]): number[] {
  const g = alpha.map((a) => gamma(rand, a));
  const sum = g.reduce((s, x) => s + x, 0);
  return sum > 0 ? g.map((x) => x / sum) : g;
}
