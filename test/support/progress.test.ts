import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import {
  groupCpuTicks,
  limitConcurrency,
  observe,
  stalled,
  type Watch,
  waitForCount,
  waitForProgress,
} from "./progress";

// The waits the suite uses for work: they go on while the work moves, however slowly, and fail
// once it stands still.

describe("observe and stalled", () => {
  const at1000: Watch = { key: "5", changedAt: 1000 };
  it.each([
    // watch, key seen, now, stallMs, expected changedAt, stalled
    [undefined, "5", 1000, 100, 1000, false],
    [at1000, "5", 1050, 100, 1000, false],
    [at1000, "5", 1100, 100, 1000, false],
    [at1000, "5", 1101, 100, 1000, true],
    [at1000, "6", 9999, 100, 9999, false], // moved: the clock restarts, however late
  ] as const)(
    "%o then %s at %i (stall %i ms): changed at %i, stalled %s",
    (watch, key, now, stallMs, changedAt, isStalled) => {
      const next = observe(watch, key, now);
      expect(next).toEqual({ key, changedAt });
      expect(stalled(next, now, stallMs)).toBe(isStalled);
    },
  );
});

describe("waitForProgress", () => {
  it("returns the measure once it is done", async () => {
    let n = 0;
    expect(
      await waitForProgress(
        () => ++n,
        (v) => v === 5,
        { everyMs: 1 },
      ),
    ).toBe(5);
  });

  it("goes on past its stall window while the measure keeps moving", async () => {
    let n = 0;
    // 200 polls, each one more than the window apart from the first: only movement keeps it alive
    const started = Date.now();
    await waitForProgress(
      () => ++n,
      (v) => v >= 200 && Date.now() - started > 60,
      {
        stallMs: 20,
        everyMs: 1,
      },
    );
    expect(n).toBeGreaterThanOrEqual(200);
  });

  it("fails with the value it stood at once the measure stops moving", async () => {
    let n = 0;
    const stuck = waitForProgress(
      () => Math.min(++n, 3),
      (v) => v === 10,
      { stallMs: 50, what: "the drain" },
    );
    await expect(stuck).rejects.toThrow("the drain: no progress for 50 ms (stuck at 3)");
  });

  it("a count that overshoots fails rather than passing", async () => {
    await expect(waitForCount(() => 7, 6, { stallMs: 50 })).rejects.toThrow(
      "a count reaching 6: no progress for 50 ms (stuck at 7)",
    );
  });
});

describe("groupCpuTicks", () => {
  it.skipIf(process.platform !== "linux")("counts the CPU a busy process group uses", async () => {
    const busy = spawn("node", ["-e", "for (;;) {}"], { stdio: "ignore", detached: true });
    try {
      const pgid = busy.pid ?? 0;
      await waitForProgress(
        () => groupCpuTicks(pgid),
        (t) => t >= 5,
        { what: "CPU use" },
      );
      expect(groupCpuTicks(999_999_999)).toBe(0); // no such group
    } finally {
      busy.kill("SIGKILL");
    }
  });
});

describe("limitConcurrency", () => {
  it("runs every call, never more than its width at once, and passes results and errors on", async () => {
    const gate = limitConcurrency(2);
    let running = 0;
    let most = 0;
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        gate(async () => {
          running += 1;
          most = Math.max(most, running);
          await new Promise((r) => setImmediate(r));
          running -= 1;
          return i;
        }),
      ),
    );
    expect(results).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(most).toBe(2);
    await expect(gate(() => Promise.reject(new Error("no")))).rejects.toThrow("no");
    expect(await gate(async () => "still open")).toBe("still open"); // a failure frees its slot
  });
});
