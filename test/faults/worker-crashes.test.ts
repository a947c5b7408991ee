import { describe, expect, it } from "vitest";
import { retryFailed } from "../../src/queue/failed";
import { BACKSTOP_MS, waitForCount, waitForProgress } from "../support/progress";
import { waitFor } from "../support/stack";
import { startFaultStack } from "./support/fault-stack";

// Workers die without warning (OOM, a node drained, kill -9). BullMQ finds their jobs by the
// expired lock and puts them back; a job may live through several such crashes.

describe("worker crashes", () => {
  it(
    "kill -9 five times while draining 2,000 prompts: exactly 2,000 events, none twice",
    async () => {
      const s = await startFaultStack({ latencyMs: 100 });
      try {
        const posted = await s.post(2000);
        expect(posted).toHaveLength(2000);
        const started = Date.now();
        let worker = s.worker();
        await worker.started;
        for (let kill = 0; kill < 5; kill++) {
          const before = await s.events();
          // let it make progress, then kill it with jobs in flight
          await waitForProgress(s.events, (n) => n >= Math.min(before + 150, 1990), { what: "events" });
          expect(await s.deps.queue.getActiveCount()).toBeGreaterThan(0);
          await worker.kill("SIGKILL");
          worker = s.worker();
          await worker.started;
        }
        const { stored, drainSeconds } = await s.drainedTo(2000, started);
        const figures = await s.report(
          "worker-kill-9-x5",
          { posted: posted.length, stored, drainSeconds },
          { kills: 5 },
        );
        expect(stored).toBe(2000);
        expect(figures.duplicated).toBe(0);
        expect(await s.deps.queue.getFailedCount()).toBe(0);
        await worker.kill("SIGTERM");
      } finally {
        await s.close();
      }
    },
    BACKSTOP_MS,
  );

  it(
    "two crashes in a row hitting the same in-flight jobs lose none of them",
    async () => {
      // Google takes 4 s: every job is still in flight when its worker dies
      const s = await startFaultStack({ latencyMs: 4000 });
      try {
        const posted = await s.post(8);
        const started = Date.now();
        const first = s.worker({ WORKER_CONCURRENCY: "8" });
        await first.started;
        await waitForCount(() => s.calls.requests, 8);
        const inFlight = (await s.deps.queue.getActive()).map((j) => j.id).sort();
        expect(inFlight).toHaveLength(8);
        await first.kill("SIGKILL");

        // the next worker takes the same jobs back once their locks expire... and dies as well
        const second = s.worker({ WORKER_CONCURRENCY: "8" });
        await second.started;
        await waitForCount(() => s.calls.requests, 16);
        expect((await s.deps.queue.getActive()).map((j) => j.id).sort()).toEqual(inFlight);
        await second.kill("SIGKILL");

        s.emulatorOptions.latencyMs = 20;
        const third = s.worker({ WORKER_CONCURRENCY: "8" });
        await third.started;
        const { stored, drainSeconds } = await s.drainedTo(8, started);
        await s.report(
          "worker-double-crash-same-jobs",
          { posted: posted.length, stored, drainSeconds },
          {
            stallsPerJob: 2,
          },
        );
        expect(stored).toBe(8);
        expect(await s.deps.queue.getFailedCount()).toBe(0);
        await third.kill("SIGTERM");
      } finally {
        await s.close();
      }
    },
    BACKSTOP_MS,
  );

  it(
    "a job set aside for crashing its workers is kept, not deleted, and census queue retry stores it",
    async () => {
      // MAX_STALLED_COUNT=1, BullMQ's default: the second crash sets these jobs aside
      const s = await startFaultStack({ latencyMs: 4000 });
      try {
        const posted = await s.post(4);
        const started = Date.now();
        const env = { WORKER_CONCURRENCY: "4", MAX_STALLED_COUNT: "1" };
        for (const calls of [4, 8]) {
          const w = s.worker(env);
          await w.started;
          await waitForCount(() => s.calls.requests, calls);
          await w.kill("SIGKILL");
        }
        s.emulatorOptions.latencyMs = 20;
        const third = s.worker(env);
        await third.started;
        await waitForCount(() => s.deps.queue.getFailedCount(), 4);
        const failed = await s.deps.queue.getFailed();
        expect(failed.map((j) => j.failedReason)).toEqual(
          Array(4).fill("job stalled more than allowable limit"),
        );
        expect(failed.every((j) => (j.data.sealed ?? "").length > 0)).toBe(true); // kept whole, for a retry
        await waitFor(() => third.output().includes('"reason":"stalled"')); // logged once it is failed

        expect(await retryFailed(s.deps.queue)).toBe(4);
        const { stored, drainSeconds } = await s.drainedTo(4, started);
        await s.report("worker-stalled-out-then-retried", { posted: posted.length, stored, drainSeconds });
        expect(stored).toBe(4);
        await third.kill("SIGTERM");
      } finally {
        await s.close();
      }
    },
    BACKSTOP_MS,
  );
});
