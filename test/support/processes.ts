import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { watchdog } from "../../src/embedded/watchdog";
import { groupCpuTicks, type ProgressOptions, waitForProgress } from "./progress";

// Processes a test starts must end with it, whatever happens to the test: each runs in a process
// group of its own (`npm start` is npm, a shell and node: signalling npm alone can leave node
// serving), a watchdog ends that group if the test process dies (src/embedded/watchdog.ts), and
// every test file's afterAll (cleanup.ts) stops those a failed or timed-out test left running.

type Spawned = ReturnType<typeof spawnCensus>;
const running = new Set<Spawned>();

function signalGroup(pid: number | undefined, signal: NodeJS.Signals) {
  try {
    if (pid) process.kill(-pid, signal);
  } catch {
    // the group is gone
  }
}

/** A `census` process whose output is kept, for tests that run the command line. */
export function spawnCensus(
  args: string[],
  o: { cwd?: string; env?: NodeJS.ProcessEnv; command?: string[]; stdin?: "ignore" | "pipe" } = {},
) {
  const [cmd, ...pre] = o.command ?? ["node", "bin/census.js"];
  const child: ChildProcess = spawn(cmd ?? "node", [...pre, ...args], {
    cwd: o.cwd,
    env: o.env ?? process.env,
    stdio: [o.stdin ?? "ignore", "pipe", "pipe"],
    detached: true, // a process group of its own, led by this child
  });
  const dog = watchdog(child.pid ?? 0, { signal: "TERM", graceSeconds: 10, group: true });
  let out = "";
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d) => {
    out += d;
    stdout += d;
  });
  child.stderr?.on("data", (d) => {
    out += d;
    stderr += d;
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  let cpu = 0;
  let cpuReadAt = 0;
  const handle = {
    child,
    /** stdout and stderr, interleaved. */
    output: () => out,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    /**
     * How far the command got: what it printed and the CPU its group used (a progress measure).
     * The CPU is read from /proc at most once a second: a scan costs a few ms.
     */
    progress() {
      const now = Date.now();
      if (now - cpuReadAt >= 1000) {
        cpu = groupCpuTicks(child.pid ?? 0);
        cpuReadAt = now;
      }
      return { printed: out.length, cpu };
    },
    /**
     * Resolves once the output matches `pattern`; fails at once if the command exits first, and
     * when it has neither printed nor used CPU for `stallMs` (a start-up on a loaded machine is
     * slow, not stopped: progress.ts).
     */
    async waitForOutput(pattern: RegExp | string, o: ProgressOptions = {}): Promise<void> {
      const seen = () => (typeof pattern === "string" ? out.includes(pattern) : pattern.test(out));
      await waitForProgress(
        () => {
          if (!seen() && (child.exitCode !== null || child.signalCode !== null)) {
            throw new Error(
              `exited (${child.exitCode ?? child.signalCode}) before printing ${pattern}:\n${out.slice(-2000)}`,
            );
          }
          return handle.progress();
        },
        seen,
        { everyMs: 100, what: `${[cmd, ...pre, ...args].join(" ")}: waiting for ${pattern}`, ...o },
      );
    },
    /** Resolves with the port once the API logs that it listens. */
    async listening(o: ProgressOptions = {}): Promise<number> {
      await handle.waitForOutput(/"msg":"api listening"/, o);
      return Number(/"port":(\d+),"docs"/.exec(out)?.[1]);
    },
    /**
     * Sends `signal` to the command and waits for it to exit (SIGKILL to its group after
     * `graceMs`), then kills whatever it left in its group. Resolves with its exit code.
     */
    async stop(signal: NodeJS.Signals = "SIGTERM", graceMs = 30_000) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const timer = setTimeout(() => signalGroup(child.pid, "SIGKILL"), graceMs);
      const code = await exited;
      clearTimeout(timer);
      signalGroup(child.pid, "SIGKILL");
      dog.release();
      running.delete(handle);
      return code;
    },
  };
  running.add(handle);
  return handle;
}

/** Stops every process spawnCensus started in this file and left running (cleanup.ts). */
export async function stopAllSpawned(): Promise<void> {
  await Promise.all([...running].map((p) => p.stop("SIGKILL")));
}

/** Resident memory of a process, in MB (Linux). */
export function rssMb(pid: number): number {
  const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
  return Math.round(kb / 1024);
}
