import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { spawnCensus } from "./processes";
import { waitFor } from "./stack";

// What a test starts must not outlive it: a test process killed outright (a CI runner's timeout,
// the OOM killer) takes its commands with it, npm, its shell and node alike.

/** Is any process left in the process group `pgid`? */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

describe("spawnCensus", () => {
  it("a command a test started ends when the test process is killed with SIGKILL", async () => {
    // a stand-in test process: starts `npm run emulator` (npm, sh, node) and stays
    const script = [
      'import { spawnCensus } from "./test/support/processes.ts";',
      'const c = spawnCensus(["run", "emulator", "--", "--port", "0"], { command: ["npm"] });',
      'await new Promise((r) => { const t = setInterval(() => { if (c.output().includes("emulator on")) { clearInterval(t); r(); } }, 50); });',
      "console.log(c.child.pid);",
      "setInterval(() => {}, 1000);",
    ].join("\n");
    const test = spawn("node", ["--import", "tsx", "--input-type=module", "-e", script], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let pgid = 0;
    try {
      let out = "";
      test.stdout.on("data", (d) => {
        out += d;
      });
      await waitFor(() => /^\d+\n/.test(out), 60_000);
      pgid = Number(out.trim());
      expect(groupAlive(pgid)).toBe(true); // npm, its shell and the emulator's node

      test.kill("SIGKILL");
      await waitFor(() => !groupAlive(pgid), 30_000, 100);
    } finally {
      test.kill("SIGKILL");
      if (pgid && groupAlive(pgid)) process.kill(-pgid, "SIGKILL"); // a red run leaves nothing either
    }
  }, 120_000);

  it("stop() ends what the command left in its group when the command itself is killed", async () => {
    const c = spawnCensus(["run", "emulator", "--", "--port", "0"], { command: ["npm"] });
    try {
      await c.waitForOutput("emulator on");
      const pgid = c.child.pid ?? 0;
      await c.stop("SIGKILL"); // to npm: its node would keep serving, were it not for the group
      await waitFor(() => !groupAlive(pgid), 10_000, 50); // reaped by init by then
    } finally {
      await c.stop("SIGKILL");
    }
  }, 120_000);

  it("waitForOutput waits while the command works, fails once it neither prints nor uses CPU, and at once when it exits", async () => {
    // prints after 4 s of busy CPU: slow, not stuck
    const busy = spawnCensus([], {
      command: ["node", "-e", "const t = Date.now(); while (Date.now() - t < 4000); console.log('ready')"],
    });
    const idle = spawnCensus([], { command: ["sleep", "60"] });
    const quitter = spawnCensus([], { command: ["node", "-e", "console.log('bye'); process.exit(3)"] });
    try {
      await busy.waitForOutput("ready", { stallMs: 2500 }); // CPU is read once a second
      await expect(idle.waitForOutput("ready", { stallMs: 500 })).rejects.toThrow(
        /waiting for ready: no progress for 500 ms/,
      );
      await expect(quitter.waitForOutput("ready")).rejects.toThrow(
        /^exited \(3\) before printing ready:\nbye/,
      );
    } finally {
      await Promise.all([busy, idle, quitter].map((p) => p.stop("SIGKILL")));
    }
  });
});
