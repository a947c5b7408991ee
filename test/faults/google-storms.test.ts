import { describe, expect, it } from "vitest";
import { BACKSTOP_MS } from "../support/progress";
import { startFaultStack } from "./support/fault-stack";

// Google refusing calls: a quota storm (429 to half the calls), an availability storm (503 to
// 30%), and Google not answering at all for 60 s. None may lose a prompt or fail a job, and
// during the quota storm the call rate must stay within GOOGLE_QPM.

describe("Google storms", () => {
  it(
    "50% 429s: nothing lost, no job failed, the call rate stays at or under GOOGLE_QPM",
    async () => {
      const QPM = 600; // 10 a second, the quota of the issue that measured 1.5 events/s
      const s = await startFaultStack({ latencyMs: 20, errorRate429: 0.5 });
      try {
        const posted = await s.post(150);
        const times: number[] = [];
        s.emulatorOptions.onRequest = () => {
          s.calls.requests += 1;
          times.push(Date.now());
        };
        const started = Date.now();
        const worker = s.worker({ GOOGLE_QPM: String(QPM), JOB_ATTEMPTS: "3" });
        await worker.started;
        const { stored, drainSeconds } = await s.drainedTo(posted.length, started);
        const refused = s.calls.answered.get(429) ?? 0;
        // BullMQ's limiter admits `max` per window; counted in every window of one second from a call
        const perSecond = QPM / 60;
        const busiest = Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + 1000).length));
        const seconds = ((times.at(-1) ?? 0) - (times[0] ?? 0)) / 1000;
        await s.report(
          "google-429-storm-50pct",
          { posted: posted.length, stored, drainSeconds },
          {
            refused429: refused,
            callsPerSecond: s.calls.requests / seconds,
            callRateOverQuota: s.calls.requests / seconds / perSecond,
            busiestSecond: busiest,
            eventsPerSecondOverQuota: stored / drainSeconds / perSecond,
          },
        );
        expect(stored).toBe(posted.length);
        expect(await s.deps.queue.getFailedCount()).toBe(0);
        expect(refused).toBeGreaterThan(50);
        expect(s.calls.requests).toBeLessThanOrEqual(perSecond * (Math.ceil(seconds) + 1));
        expect(busiest).toBeLessThanOrEqual(2 * perSecond); // a window's edge can admit two windows' worth
        await worker.kill("SIGTERM");
      } finally {
        await s.close();
      }
    },
    BACKSTOP_MS,
  );

  it(
    "30% 503s: nothing lost, no job failed",
    async () => {
      const s = await startFaultStack({ latencyMs: 20, errorRate503: 0.3 });
      try {
        const posted = await s.post(500);
        const started = Date.now();
        const worker = s.worker();
        await worker.started;
        const { stored, drainSeconds } = await s.drainedTo(posted.length, started);
        await s.report(
          "google-503-storm-30pct",
          { posted: posted.length, stored, drainSeconds },
          {
            refused503: s.calls.answered.get(503) ?? 0,
          },
        );
        expect(stored).toBe(posted.length);
        expect(await s.deps.queue.getFailedCount()).toBe(0);
        await worker.kill("SIGTERM");
      } finally {
        await s.close();
      }
    },
    BACKSTOP_MS,
  );
});
