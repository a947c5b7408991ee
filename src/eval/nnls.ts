// Non-negative least squares (Lawson and Hanson 1974, chapter 23), small and dense: the
// adjustment solves one with at most ~18 unknowns per bootstrap draw.

type Matrix = readonly (readonly number[])[];

/** Solves the square system `a x = b` by Gaussian elimination with partial pivoting; null if singular. */
export function solveLinear(a: Matrix, b: readonly number[]): number[] | null {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i] ?? 0]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) {
      if (Math.abs(m[r]?.[col] ?? 0) > Math.abs(m[pivot]?.[col] ?? 0)) pivot = r;
    }
    const p = m[pivot] as number[];
    if (Math.abs(p[col] ?? 0) < 1e-14) return null;
    [m[col], m[pivot]] = [p, m[col] as number[]];
    for (let r = col + 1; r < n; r++) {
      const row = m[r] as number[];
      const f = (row[col] ?? 0) / (p[col] ?? 1);
      if (f !== 0) for (let c = col; c <= n; c++) row[c] = (row[c] ?? 0) - f * (p[c] ?? 0);
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    const row = m[r] as number[];
    let s = row[n] ?? 0;
    for (let c = r + 1; c < n; c++) s -= (row[c] ?? 0) * (x[c] ?? 0);
    x[r] = s / (row[r] ?? 1);
  }
  return x;
}

/**
 * argmin ||a x - b|| subject to x >= 0, worked on the normal equations: aᵀa and aᵀb are formed
 * once, so each step costs a small solve on the free columns, not a pass over `a`.
 */
export function nnls(a: Matrix, b: readonly number[], start?: readonly boolean[]): number[] {
  const n = a[0]?.length ?? 0;
  const ata = Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (_, j) => a.reduce((s, row) => s + (row[i] ?? 0) * (row[j] ?? 0), 0)),
  );
  const atb = Array.from({ length: n }, (_, i) =>
    a.reduce((s, row, r) => s + (row[i] ?? 0) * (b[r] ?? 0), 0),
  );
  return nnlsNormal(ata, atb, start);
}

/** Least squares on the columns in `cols` (a tiny ridge: never singular). */
function subsetSolve(ata: Matrix, atb: readonly number[], cols: number[]): number[] {
  const sub = cols.map((i) => cols.map((j) => (ata[i]?.[j] ?? 0) + (i === j ? 1e-12 : 0)));
  return (
    solveLinear(
      sub,
      cols.map((i) => atb[i] ?? 0),
    ) ?? cols.map(() => 0)
  );
}

/**
 * Lawson-Hanson on aᵀa x = aᵀb. `start` guesses the positive set (a bootstrap draw's is mostly its
 * point estimate's): when the least squares on it is positive, the search starts there, a valid
 * state of the algorithm, and usually ends at once; otherwise it starts from zero.
 */
export function nnlsNormal(ata: Matrix, atb: readonly number[], start?: readonly boolean[]): number[] {
  const n = atb.length;
  const x = new Array<number>(n).fill(0);
  const passive = new Array<boolean>(n).fill(false);
  const tol = 1e-10;
  if (start?.some(Boolean)) {
    const cols = start.flatMap((p, j) => (p ? [j] : []));
    const z = subsetSolve(ata, atb, cols);
    if (z.every((v) => v > tol)) {
      cols.forEach((j, i) => {
        x[j] = z[i] ?? 0;
        passive[j] = true;
      });
    }
  }
  for (let outer = 0; outer < 10 * n + 10; outer++) {
    // the gradient of -½||ax - b||²: aᵀb - aᵀa x
    let best = -1;
    let bestW = tol;
    for (let j = 0; j < n; j++) {
      if (passive[j]) continue;
      const row = ata[j] ?? [];
      let w = atb[j] ?? 0;
      for (let c = 0; c < n; c++) w -= (row[c] ?? 0) * (x[c] ?? 0);
      if (w > bestW) [best, bestW] = [j, w];
    }
    if (best < 0) break;
    passive[best] = true;
    for (let inner = 0; inner < 3 * n + 3; inner++) {
      const cols = passive.flatMap((p, j) => (p ? [j] : []));
      const z = subsetSolve(ata, atb, cols);
      if (z.every((v) => v > tol)) {
        x.fill(0);
        cols.forEach((j, i) => {
          x[j] = z[i] ?? 0;
        });
        break;
      }
      // step from x towards z until the first passive variable reaches zero, and free it
      let alpha = 1;
      cols.forEach((j, i) => {
        const zi = z[i] ?? 0;
        const xj = x[j] ?? 0;
        if (zi <= tol && xj - zi > 0) alpha = Math.min(alpha, xj / (xj - zi));
      });
      cols.forEach((j, i) => {
        x[j] = (x[j] ?? 0) + alpha * ((z[i] ?? 0) - (x[j] ?? 0));
        if ((x[j] ?? 0) <= tol) {
          x[j] = 0;
          passive[j] = false;
        }
      });
    }
  }
  return x;
}
