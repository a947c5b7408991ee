import { describe, expect, it } from "vitest";
import { BACKSTOP_MS, waitForProgress } from "../support/progress";
import { waitFor } from "../support/stack";
import { startFaultStack } from "./support/fault-stack";

// Postgres goes away for 30 s (a failover, a restart) while the worker drains. The queue holds
// instead of using attempts, each job keeps Google's answer, and the same worker carries on.

const OUTAGE_MS = 30_000;

describe("Postgres stopped for 30 s during draining", () => {
  it(
    "readyz says 503, the worker recovers without a restart, nothing is lost, Google is paid once per event",
    async () => {
      const s = await startFaultStack({ latencyMs: 20 });
      try {
        const posted = await s.post(1000);
        const started = Date.now();
        const worker = s.worker({ JOB_ATTEMPTS: "3" }); // an outage must use none of them
        await worker.started;
        await waitForProgress(s.events, (n) => n >= 200, { what: "events" });
        await s.postgres.stop();
        const down = Date.now();
        await waitFor(async () => (await s.app.request("/readyz")).status === 503);
        const ready = await (await s.app.request("/readyz")).json();
        expect(ready).toMatchObject({ checks: { postgres: false, redis: true } });
        // the outage lasts its full length: this waits for the fault, not for work
        await new Promise((r) => setTimeout(r, Math.max(0, OUTAGE_MS - (Date.now() - down))));
        const callsDuringOutage = s.calls.requests;
        await s.postgres.start();
        const { stored, drainSeconds } = await s.drainedTo(1000, started);
        await waitFor(async () => (await s.app.request("/readyz")).status === 200);
        await s.report(
          "postgres-stopped-30s",
          { posted: posted.length, stored, drainSeconds },
          {
            classifyCallsPerStoredEvent: s.calls.requests / stored,
            callsDuringOutage,
          },
        );
        expect(stored).toBe(1000);
        expect(s.calls.requests / stored).toBeLessThanOrEqual(1.0);
        expect(await s.deps.queue.getFailedCount()).toBe(0);
        expect(worker.output()).toContain("postgres unavailable: holding the queue");
        expect(await worker.kill("SIGTERM")).toBe(0); // the same process all along
      } finally {
        await s.close();
      }
    },
    BACKSTOP_MS,
  );
});
