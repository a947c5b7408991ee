import { describe, expect, it } from "vitest";
import { billableUnits, createMetrics, trackQueueDepth } from "./metrics";

describe("billableUnits", () => {
  it.each([
    [0, 1],
    [1, 1],
    [999, 1],
    [1000, 1],
    [1001, 2],
    [2500, 3],
  ])("%i characters -> %i units", (chars, units) => {
    expect(billableUnits(chars)).toBe(units);
  });
});

describe("trackQueueDepth", () => {
  it("reads the counts at each scrape and keeps the last ones when the read fails", async () => {
    const metrics = createMetrics();
    let counts: Record<string, number> | undefined = { wait: 3, failed: 1 };
    trackQueueDepth(metrics, async () => {
      if (!counts) throw new Error("redis down");
      return counts;
    });
    expect(await metrics.registry.metrics()).toContain('census_queue_jobs{state="wait"} 3');
    counts = undefined;
    const text = await metrics.registry.metrics();
    expect(text).toContain('census_queue_jobs{state="wait"} 3');
    expect(text).toContain('census_queue_jobs{state="failed"} 1');
  });
});
