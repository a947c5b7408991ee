import { describe, expect, it } from "vitest";
import { interleaved, type LoadResult, spread } from "../bench/lib";

// The bench's pairs are only fair if neither side always goes first: with the baseline first in
// every round, bare Hono against itself measured 1.07x (a bias as large as the gap being measured).

const result = (requests: number, seconds: number): LoadResult => ({
  requests,
  seconds,
  perSecond: requests / seconds,
  p50: 0,
  p95: 0,
  p99: 0,
  errors: 0,
  latencies: [1, 2],
});

describe("interleaved", () => {
  it("alternates who goes first, each side running every round once", async () => {
    const order: string[] = [];
    const side = (name: string) => async (round: number) => {
      order.push(`${name}${round}`);
      return result(10, 1);
    };
    await interleaved(4, side("a"), side("b"));
    expect(order).toEqual(["a0", "b0", "b1", "a1", "a2", "b2", "b3", "a3"]);
  });

  it("merges each side's rounds into one result", async () => {
    const [a, b] = await interleaved(
      2,
      async () => result(10, 1),
      async (round) => result(30, round + 1),
    );
    expect([a.requests, a.seconds, a.perSecond]).toEqual([20, 2, 10]);
    expect([b.requests, b.seconds, b.perSecond]).toEqual([60, 3, 20]);
    expect(b.latencies).toHaveLength(4);
  });

  it("gives each round's ratio, the candidate's over the baseline's of the same round", async () => {
    const [, , ratios] = await interleaved(
      3,
      async (round) => result(10, round + 1),
      async () => result(10, 1),
    );
    expect(ratios).toEqual([1, 2, 3]);
  });
});

describe("spread", () => {
  it.each([
    [[0.7], "median 0.70x (0.70-0.70x)"],
    [[0.9, 0.6, 0.7], "median 0.70x (0.60-0.90x)"],
    [[0.8, 0.6, 0.7, 0.9], "median 0.75x (0.60-0.90x)"],
  ])("%j -> %s", (ratios, text) => {
    expect(spread(ratios)).toBe(text);
  });
});
