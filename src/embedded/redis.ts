import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { delimiter, join, resolve } from "node:path";
import type { Logger } from "../platform/logger";
import { answers, freePort } from "./net";
import type { Embedded } from "./postgres";
import { watchdog } from "./watchdog";

// A private Redis for `npm start` on a machine without one, set up the way docs/reliability.md
// asks (AOF everysec, no RDB, noeviction), data in <CENSUS_HOME>/redis. The system's
// redis-server when one is on PATH; otherwise redis-memory-server, which builds one from
// Redis's sources on first use (its install-time download is switched off in package.json).

export const INSTALL_REDIS = [
  "Debian/Ubuntu: sudo apt-get install -y redis-server",
  "macOS: brew install redis",
  'Docker: docker run -d -p 6379:6379 redis:7 redis-server --appendonly yes --save ""',
].join("; ");

function onPath(binary: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    const candidate = join(dir, binary);
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

async function redisBinary(log: Logger): Promise<string> {
  const system = onPath("redis-server");
  if (system) return system;
  try {
    const { RedisBinary } = await import("redis-memory-server");
    log.info("no redis-server on PATH: building one with redis-memory-server (first run only)");
    return await RedisBinary.getPath();
  } catch {
    throw new Error(
      `REDIS_URL is not set, nothing answers on 127.0.0.1:6379, and there is no redis-server to start (none on PATH, and redis-memory-server could not build one). Install Redis: ${INSTALL_REDIS}. Or set REDIS_URL.`,
    );
  }
}

/** redis-server as docs/reliability.md asks: AOF everysec, no RDB snapshots, noeviction, loopback. */
export function redisServerArgs(port: number, dir: string): string[] {
  return [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--dir",
    dir,
    "--appendonly",
    "yes",
    "--appendfsync",
    "everysec",
    "--save",
    "",
    "--maxmemory-policy",
    "noeviction",
    "--logfile",
    join(dir, "redis.log"),
  ];
}

export async function startEmbeddedRedis(home: string, log: Logger): Promise<Embedded> {
  const binary = await redisBinary(log);
  const dir = resolve(home, "redis");
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  // its own process group (a Ctrl-C at the terminal reaches only us; we stop it last), and a
  // watchdog that stops it when we end, however we end (watchdog.ts)
  const child: ChildProcess = spawn(binary, redisServerArgs(port, dir), { stdio: "ignore", detached: true });
  child.on("error", () => {});
  const dog = watchdog(child.pid ?? 0, { signal: "TERM", graceSeconds: 20 });
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  void exited.then(() => dog.release()); // its pid may be reused from now on
  for (let i = 0; !(await answers("127.0.0.1", port, 200)); i++) {
    if (child.exitCode !== null || i > 100) {
      dog.release();
      child.kill("SIGKILL");
      throw new Error(`the embedded redis-server did not start; see ${join(dir, "redis.log")}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    pid: child.pid ?? 0,
    data: dir,
    async stop() {
      dog.release();
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM"); // Redis flushes its AOF on SIGTERM
      await exited;
    },
  };
}
