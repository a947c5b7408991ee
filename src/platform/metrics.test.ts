import { describe, expect, it } from "vitest";
import { createMetrics, trackQueueDepth } from "./metrics";

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

describe("labels finer than the privacy floor", () => {
  it.each([
    [
      false,
      ['census_events_total{outcome="classified"} 1', "census_redactions_total 3"],
      ["category=", "kind="],
    ],
    [
      true,
      [
        'census_events_total{outcome="classified",category="health"} 1',
        'census_redactions_total{kind="iban"} 1',
        'census_redactions_total{kind="phone"} 2',
      ],
      [],
    ],
  ])("METRICS_FINE_LABELS=%s", async (fineLabels, present, absent) => {
    const metrics = createMetrics({ fineLabels });
    metrics.countEvent("classified", "health");
    metrics.countRedactions({ iban: 1, phone: 2 });
    const text = await metrics.registry.metrics();
    for (const line of present) expect(text).toContain(line);
    for (const label of absent) expect(text).not.toContain(label);
  });
});
