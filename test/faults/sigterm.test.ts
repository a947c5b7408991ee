import { describe, expect, it } from "vitest";
import { BACKSTOP_MS, waitForProgress } from "../support/progress";
import { startFaultStack } from "./support/fault-stack";

// A deploy or a scale-down sends SIGTERM to a busy worker: it stops taking jobs, finishes the
// ones in flight (or hands them back), and exits 0; the next worker finds the rest.

describe("SIGTERM during draining", () => {
  it(
    "in-flight jobs finish, nothing is lost, nothing is classified twice",
    async () => {
      const s = await startFaultStack({ latencyMs: 300 });
      try {
        const posted = await s.post(500);
        const started = Date.now();
        const first = s.worker();
        await first.started;
        await waitForProgress(
          async () => ({ events: await s.events(), active: await s.deps.queue.getActiveCount() }),
          (m) => m.events >= 50 && m.active > 0,
          { what: "events, with jobs in flight" },
        );
        expect(await first.kill("SIGTERM")).toBe(0);
        // nothing it took is left active: each in-flight job was stored before the exit
        expect(await s.deps.queue.getActiveCount()).toBe(0);
        const afterStop = await s.events();
        expect(s.calls.requests).toBe(afterStop);
        expect(first.output()).toContain('"step":"worker","msg":"closed"');

        const second = s.worker();
        await second.started;
        const { stored, drainSeconds } = await s.drainedTo(posted.length, started);
        await s.report(
          "worker-sigterm-mid-drain",
          { posted: posted.length, stored, drainSeconds },
          {
            storedByFirstWorker: afterStop,
          },
        );
        expect(stored).toBe(posted.length);
        expect(s.calls.requests).toBe(stored);
        await second.kill("SIGTERM");
      } finally {
        await s.close();
      }
    },
    BACKSTOP_MS,
  );
});
