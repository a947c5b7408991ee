import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { createMetrics, trackQueueDepth } from "../src/platform/metrics";

// The shipped Grafana dashboard must only query metrics the service exports.

describe("docs/grafana/prompt-census.json", () => {
  it("queries only metric names the registry has", async () => {
    const dashboard = JSON.parse(readFileSync("docs/grafana/prompt-census.json", "utf8")) as {
      panels: { targets: { expr: string }[] }[];
    };
    const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr));
    const used = new Set(exprs.flatMap((e) => e.match(/census_[a-z_]+/g) ?? []));
    const metrics = createMetrics();
    trackQueueDepth(metrics, async () => ({}));
    const exported = new Set(
      (await metrics.registry.getMetricsAsJSON()).flatMap((m) =>
        String(m.type) === "histogram"
          ? [m.name, `${m.name}_bucket`, `${m.name}_sum`, `${m.name}_count`]
          : [m.name],
      ),
    );
    expect(used.size).toBeGreaterThan(7);
    for (const name of used) expect(exported, `${name} is not exported`).toContain(name);
  });
});
