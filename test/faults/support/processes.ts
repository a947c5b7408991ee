import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { redisServerArgs } from "../../../src/embedded/redis";
import { type Watchdog, watchdog } from "../../../src/embedded/watchdog";
import { spawnCensus } from "../../support/processes";
import { waitFor } from "../../support/stack";

// Real Postgres and Redis processes that a fault test starts, kills and restarts itself, on free
// loopback ports with data in a temporary directory. Nothing here is shared with other tests.
// Each has a watchdog (src/embedded/watchdog.ts): a test process that dies takes them with it.

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}

/** Sends a raw PING; resolves true on +PONG. */
function redisPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.setTimeout(500, () => socket.destroy());
    socket.once("error", () => resolve(false));
    socket.once("close", () => resolve(false));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (d) => {
      resolve(d.toString().startsWith("+PONG"));
      socket.destroy();
    });
  });
}

export interface RedisProcess {
  url: string;
  dir: string;
  /** kill -9: no shutdown, no final AOF flush beyond what Redis already wrote. */
  kill(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

/**
 * redis-server as production should run it: AOF everysec, no RDB snapshots, noeviction. `extra`
 * arguments come last and win (`--appendonly no`: a Redis that loses everything on a restart).
 */
export async function startRedis(extra: string[] = []): Promise<RedisProcess> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "census-fault-redis-"));
  let child: ChildProcess | undefined;
  let dog: Watchdog | undefined;
  const start = async () => {
    const c = spawn("redis-server", [...redisServerArgs(port, dir), ...extra], {
      stdio: "ignore",
      detached: true,
    });
    child = c;
    const d = watchdog(c.pid ?? 0, { signal: "TERM", graceSeconds: 10 });
    dog = d;
    c.once("exit", () => d.release());
    await waitFor(() => redisPing(port), 15_000, 50);
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    dir,
    async kill() {
      child?.kill("SIGKILL");
      if (child) await exited(child);
    },
    start,
    async close() {
      dog?.release();
      child?.kill("SIGKILL");
      if (child) await exited(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface PostgresProcess {
  url: string;
  /** pg_ctl stop -m fast: open connections are cut, as in a failover or a restart. */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

function postgresBin(): string {
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, "bin", "initdb")))
        .sort((a, b) => Number(a) - Number(b))
    : [];
  const newest = versions.at(-1);
  if (newest) return join(root, newest, "bin");
  try {
    return execFileSync("pg_config", ["--bindir"], { encoding: "utf8" }).trim();
  } catch {
    throw new Error("the fault suite needs Postgres's initdb and pg_ctl (apt-get install postgresql)");
  }
}

/** A private cluster via initdb/pg_ctl (as the postgres user when we are root: Postgres refuses root). */
export async function startPostgres(): Promise<PostgresProcess> {
  const bin = postgresBin();
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "census-fault-pg-"));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }));
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }));
    chownSync(dir, uid, gid);
  }
  const run = (cmd: string, args: string[]) =>
    execFileSync(
      asRoot ? "runuser" : join(bin, cmd),
      asRoot ? ["-u", "postgres", "--", join(bin, cmd), ...args] : args,
      {
        stdio: "ignore",
        cwd: tmpdir(),
      },
    );
  const data = join(dir, "data");
  run("initdb", ["-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"]);
  const options = `-p ${port} -c listen_addresses=127.0.0.1 -k ${dir} -c fsync=off -c shared_buffers=16MB -c max_connections=60`;
  // pg_ctl leaves the server to init: the watchdog follows the server's own pid
  let dog: Watchdog | undefined;
  const start = async () => {
    run("pg_ctl", ["-D", data, "-l", join(dir, "postgres.log"), "-o", options, "-w", "start"]);
    const pid = Number(readFileSync(join(data, "postmaster.pid"), "utf8").split("\n")[0]);
    dog = watchdog(pid, { signal: "INT", graceSeconds: 10 });
  };
  const stop = async () => {
    dog?.release();
    run("pg_ctl", ["-D", data, "-m", "fast", "-w", "stop"]);
  };
  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/census`,
    stop,
    start,
    async close() {
      await stop().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type WorkerProcess = ReturnType<typeof spawnWorker>;

/** `census worker` as its own process, the way production runs it. */
export function spawnWorker(env: Record<string, string>) {
  const worker = spawnCensus(["worker"], { env: { ...process.env, ...env } });
  const started = worker.waitForOutput('"msg":"worker started"');
  started.catch(() => {}); // a test that never awaits it (it failed first) is not failed again
  return {
    pid: worker.child.pid ?? 0,
    output: worker.output,
    /** Resolves once the worker logged that it started (while it starts, however slowly). */
    started,
    kill: (signal: NodeJS.Signals) => worker.stop(signal),
    exited: () => worker.exited,
  };
}
