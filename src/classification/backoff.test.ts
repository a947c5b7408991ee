import { describe, expect, it } from "vitest";
import { backoffDelay } from "./backoff";

describe("backoffDelay", () => {
  it.each([
    { attempt: 1, lo: 500, hi: 1000 },
    { attempt: 2, lo: 1000, hi: 2000 },
    { attempt: 4, lo: 4000, hi: 8000 },
    { attempt: 6, lo: 16_000, hi: 32_000 },
    { attempt: 20, lo: 16_000, hi: 32_000 },
  ])("attempt $attempt stays in [$lo, $hi]", ({ attempt, lo, hi }) => {
    expect(backoffDelay(attempt, 1000, 32_000, () => 0)).toBe(lo);
    expect(backoffDelay(attempt, 1000, 32_000, () => 1)).toBe(hi);
  });

  it("jitters between calls", () => {
    const seen = new Set(Array.from({ length: 50 }, () => backoffDelay(5, 1000, 32_000)));
    expect(seen.size).toBeGreaterThan(10);
  });
});
