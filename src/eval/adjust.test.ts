import { describe, expect, it } from "vitest";
import { prng } from "../platform/prng";
import { adjust, conditional, solveShares } from "./adjust";
import { nnls, solveLinear } from "./nnls";
import { dirichlet, gamma } from "./random";

const close = (a: readonly (number | null)[], b: readonly number[], digits = 6) =>
  a.forEach((x, i) => {
    expect(x, `index ${i}`).toBeCloseTo(b[i] ?? Number.NaN, digits);
  });

describe("solveLinear", () => {
  it.each([
    {
      a: [
        [2, 0],
        [0, 4],
      ],
      b: [2, 8],
      x: [1, 2],
    },
    {
      a: [
        [0, 1],
        [1, 0],
      ],
      b: [3, 5],
      x: [5, 3],
    }, // needs a pivot
    {
      a: [
        [1, 2, 3],
        [0, 1, 4],
        [5, 6, 0],
      ],
      b: [14, 14, 17],
      x: [1, 2, 3],
    },
  ])("$a x = $b", ({ a, b, x }) => close(solveLinear(a, b) ?? [], x));
  it("says null for a singular system", () =>
    expect(
      solveLinear(
        [
          [1, 2],
          [2, 4],
        ],
        [1, 2],
      ),
    ).toBeNull());
});

describe("nnls", () => {
  it.each([
    {
      name: "interior: the plain solution",
      a: [
        [1, 0],
        [0, 1],
      ],
      b: [2, 3],
      x: [2, 3],
    },
    {
      name: "a negative coordinate is clamped to 0",
      a: [
        [1, 0],
        [0, 1],
      ],
      b: [2, -3],
      x: [2, 0],
    },
    {
      name: "all negative: zero",
      a: [
        [1, 0],
        [0, 1],
      ],
      b: [-1, -1],
      x: [0, 0],
    },
    {
      name: "overdetermined",
      a: [
        [1, 0],
        [0, 1],
        [1, 1],
      ],
      b: [1, 1, 2],
      x: [1, 1],
    },
    // unconstrained x = (-1, 2); with x1 = 0 the best x2 is b·col2/|col2|² = 1.5
    {
      name: "coupled columns",
      a: [
        [1, 1],
        [0, 1],
      ],
      b: [1, 2],
      x: [0, 1.5],
    },
  ])("$name", ({ a, b, x }) => {
    close(nnls(a, b), x);
    // a guessed positive set, right or wrong, never changes the answer
    close(nnls(a, b, [true, true]), x);
    close(nnls(a, b, [false, true]), x);
  });
});

describe("conditional", () => {
  it("normalises rows and takes an empty row as always right", () => {
    const { m, unsupported } = conditional([
      [8, 2, 0],
      [0, 0, 0],
      [1, 1, 2],
    ]);
    expect(m).toEqual([
      [0.8, 0.2, 0],
      [0, 1, 0],
      [0.25, 0.25, 0.5],
    ]);
    expect(unsupported).toEqual([1]);
  });
});

describe("solveShares", () => {
  const m = [
    [0.8, 0.2, 0],
    [0.1, 0.7, 0.2],
    [0, 0.3, 0.7],
  ];
  const confuse = (p: number[]) => p.map((_, j) => p.reduce((s, pi, i) => s + pi * (m[i]?.[j] ?? 0), 0));
  it.each([[[0.5, 0.3, 0.2]], [[1, 0, 0]], [[0.2, 0.2, 0.6]], [[0, 0.5, 0.5]]])(
    "recovers true shares %j from their confused image",
    (p) => close(solveShares(m, confuse(p)), p, 5),
  );
  it("the identity matrix leaves shares as they are", () =>
    close(
      solveShares(
        [
          [1, 0],
          [0, 1],
        ],
        [0.3, 0.7],
      ),
      [0.3, 0.7],
    ));
  it("an observation no true shares explain lands on the simplex's edge, summing to 1", () => {
    // class 0 is predicted 90% of the time, more than even all-class-0 (80%) can explain
    const p = solveShares(m, [0.9, 0.1, 0]);
    expect(p.every((x) => x >= 0)).toBe(true);
    expect(p.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 9);
    expect(p[0]).toBeCloseTo(1, 2);
  });
});

describe("adjust", () => {
  const counts = [
    [80, 20, 0],
    [10, 70, 20],
    [0, 30, 70],
  ];
  it("reports shares among the named classes only, summing to 1, each inside its interval", () => {
    const a = adjust({ counts, observed: [0.43, 0.37, 0.2], n: 1000, among: [true, true, false] });
    expect(a.share[2]).toBeNull();
    expect((a.share[0] ?? 0) + (a.share[1] ?? 0)).toBeCloseTo(1, 9);
    for (const i of [0, 1]) {
      expect(a.low[i]).toBeLessThanOrEqual(a.share[i] ?? Number.NaN);
      expect(a.high[i]).toBeGreaterThanOrEqual(a.share[i] ?? Number.NaN);
    }
  });
  it("is the same for the same seed", () => {
    const input = { counts, observed: [0.4, 0.4, 0.2], n: 500 };
    expect(adjust(input, { seed: 7 })).toEqual(adjust(input, { seed: 7 }));
  });
  it("a larger calibration set gives a narrower interval", () => {
    const big = counts.map((r) => r.map((c) => c * 20));
    const width = (c: number[][]) => {
      const a = adjust({ counts: c, observed: [0.4, 0.4, 0.2], n: 100_000 });
      return (a.high[0] ?? 0) - (a.low[0] ?? 0);
    };
    expect(width(big)).toBeLessThan(width(counts) / 2);
  });
});

describe("random", () => {
  it("gamma has mean shape, for shapes below and above 1", () => {
    const rand = prng(3);
    for (const shape of [0.3, 1, 7.5]) {
      let s = 0;
      for (let i = 0; i < 20_000; i++) s += gamma(rand, shape);
      expect(s / 20_000).toBeCloseTo(shape, 1);
    }
  });
  it("dirichlet keeps zero counts at zero and sums to 1", () => {
    const d = dirichlet(prng(1), [3, 0, 5]);
    expect(d[1]).toBe(0);
    expect(d.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 12);
  });
});
