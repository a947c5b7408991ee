import { describe, expect, it } from "vitest";
import { limiterFor } from "./google-rate";

describe("limiterFor", () => {
  it.each([600, 100, 60, 1, 1800, 7])("never exceeds %i per minute", (qpm) => {
    const { max, duration } = limiterFor(qpm);
    expect((max * 60_000) / duration).toBeLessThanOrEqual(qpm);
    expect((max * 60_000) / duration).toBeGreaterThan(qpm * 0.9);
  });
});
