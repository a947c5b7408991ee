import { type ChildProcess, spawn } from "node:child_process";
import type { Socket } from "node:net";

// Node cannot ask the kernel to signal a child when its parent dies (prctl PR_SET_PDEATHSIG), so a
// service killed outright (kill -9, the OOM killer) left its embedded Postgres and redis-server
// running under init. A watchdog does it instead: a shell blocked reading a pipe whose other end
// only this process holds (libuv opens it close-on-exec, so no other child inherits it). However
// this process ends, the kernel closes that end, the read returns, and the shell signals the
// service, then kills it if it has not gone within the grace period.

const SCRIPT = [
  "read _",
  'kill -s "$2" -- "$1" 2>/dev/null || exit 0',
  "n=0",
  'while kill -0 -- "$1" 2>/dev/null; do',
  '  n=$((n + 1)); [ "$n" -gt "$3" ] && { kill -s KILL -- "$1" 2>/dev/null; exit 0; }',
  "  sleep 1",
  "done",
].join("\n");

export interface WatchdogOptions {
  /** What to send first: a graceful stop (Postgres: INT, a fast shutdown; Redis: TERM). */
  signal: "INT" | "TERM" | "QUIT";
  /** Seconds to wait for the target to go before SIGKILL. */
  graceSeconds: number;
  /** Signal the process group `pid` leads (a child spawned with `detached: true`) rather than the process. */
  group?: boolean;
}

export interface Watchdog {
  /** Stops watching: call before stopping the target yourself, so a reused pid is never signalled. */
  release(): void;
}

// Held here so that no watchdog's pipe is ever collected while its target lives.
const watching = new Set<ChildProcess>();

/** Ends `pid` (or its process group) when this process ends, however it ends. */
export function watchdog(pid: number, o: WatchdogOptions): Watchdog {
  if (process.platform === "win32" || !pid) return { release() {} };
  const target = o.group ? `-${pid}` : String(pid);
  const dog = spawn("/bin/sh", ["-c", SCRIPT, "census-watchdog", target, o.signal, String(o.graceSeconds)], {
    stdio: ["pipe", "ignore", "ignore"],
    // its own session: a Ctrl-C for this process's terminal group must not end the watchdog first
    detached: true,
  });
  dog.on("error", () => {}); // no /bin/sh: nothing to watch with; the owner still stops its services
  dog.unref();
  (dog.stdin as Socket | null)?.unref();
  watching.add(dog);
  dog.once("exit", () => watching.delete(dog));
  return {
    release() {
      watching.delete(dog);
      if (dog.exitCode === null && dog.signalCode === null) dog.kill("SIGKILL");
    },
  };
}
