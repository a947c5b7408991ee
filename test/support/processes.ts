import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { waitFor } from "./stack";

/** A `census` process whose output is kept, for tests that run the command line. */
export function spawnCensus(
  args: string[],
  o: { cwd?: string; env?: NodeJS.ProcessEnv; command?: string[] } = {},
) {
  const [cmd, ...pre] = o.command ?? ["node", "bin/census.js"];
  const child: ChildProcess = spawn(cmd ?? "node", [...pre, ...args], {
    cwd: o.cwd,
    env: o.env ?? process.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout?.on("data", (d) => {
    out += d;
  });
  child.stderr?.on("data", (d) => {
    out += d;
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return {
    child,
    output: () => out,
    exited,
    /** Resolves with the port once the API logs that it listens. */
    async listening(timeoutMs = 30_000): Promise<number> {
      await waitFor(() => /"msg":"api listening"/.test(out), timeoutMs);
      return Number(/"port":(\d+),"docs"/.exec(out)?.[1]);
    },
    async stop(signal: NodeJS.Signals = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Resident memory of a process, in MB (Linux). */
export function rssMb(pid: number): number {
  const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
  return Math.round(kb / 1024);
}
