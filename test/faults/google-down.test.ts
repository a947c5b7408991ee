import { describe, expect, it } from "vitest";
import { BACKSTOP_MS, waitForProgress } from "../support/progress";
import { startFaultStack } from "./support/fault-stack";

// Google not answering at all (refused connections) for 60 s while the worker drains: the
// queue holds without using attempts and carries on when Google is back.

describe("Google down", () => {
  it(
    "for 60 s mid-drain: nothing lost, no job failed, no attempts used",
    async () => {
      const s = await startFaultStack({ latencyMs: 200 });
      try {
        const posted = await s.post(400);
        const started = Date.now();
        // three attempts would be gone in seconds if an outage used them
        const worker = s.worker({ JOB_ATTEMPTS: "3" });
        await worker.started;
        await waitForProgress(s.events, (n) => n >= 50, { what: "events" });
        await s.stopEmulator();
        const down = Date.now();
        // the outage lasts its full length: this waits for the fault, not for work
        await new Promise((r) => setTimeout(r, 60_000));
        const storedWhileDown = await s.events();
        const outageSeconds = (Date.now() - down) / 1000;
        await s.startEmulator();
        const { stored, drainSeconds } = await s.drainedTo(posted.length, started);
        await s.report(
          "google-down-60s",
          { posted: posted.length, stored, drainSeconds },
          {
            outageSeconds,
            storedWhileDown,
          },
        );
        expect(storedWhileDown).toBeLessThan(posted.length - 100); // the outage hit mid-drain
        expect(stored).toBe(posted.length);
        expect(await s.deps.queue.getFailedCount()).toBe(0);
        expect(worker.output()).toContain("google unreachable: holding the queue");
        await worker.kill("SIGTERM");
      } finally {
        await s.close();
      }
    },
    BACKSTOP_MS,
  );
});
