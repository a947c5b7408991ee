import { resolve } from "node:path";
import { DEFAULT_DATABASE_URL, DEFAULT_REDIS_URL, type Env } from "../env";
import { AppError } from "../platform/errors";
import type { Logger } from "../platform/logger";
import { redactUrl } from "../platform/redact-url";
import { answers, hostPort } from "./net";
import { type Embedded, startEmbeddedPostgres } from "./postgres";
import { startEmbeddedRedis } from "./redis";
import { alive, clearState, readAnyState, readState, writeState } from "./state";

// Where Postgres and Redis come from, decided once per process:
//   1. DATABASE_URL / REDIS_URL set: that one; if nothing answers there, say which variable
//      points where and what to do.
//   2. unset: embedded services that a running `census start` owns (.census/services.json);
//   3. else the local default (127.0.0.1:5432, 127.0.0.1:6379) when it answers;
//   4. else (roles only) start embedded ones, which stop with this process.
// CENSUS_EMBEDDED=1 or `census start --embedded` goes straight to 4 for unset variables.

type Name = "postgres" | "redis";

const SPEC = {
  postgres: { variable: "DATABASE_URL", fallback: DEFAULT_DATABASE_URL, label: "Postgres" },
  redis: { variable: "REDIS_URL", fallback: DEFAULT_REDIS_URL, label: "Redis" },
} as const;

export interface Services {
  env: Env;
  /** Stops the embedded services this process started (none: a no-op). */
  stop(): Promise<void>;
}

export interface ServiceOptions {
  /** Roles may start embedded services; other commands only find them. */
  mode: "start" | "find";
  /** Start embedded ones even when the local defaults answer (`--embedded`; in "start" mode
   * CENSUS_EMBEDDED=1 too). */
  forceEmbedded?: boolean;
}

async function reachable(url: string): Promise<boolean> {
  const { host, port } = hostPort(url);
  if (host.startsWith("/")) return true; // a Unix socket path: let the driver say
  return answers(host, port);
}

export async function provideServices(env: Env, log: Logger, o: ServiceOptions): Promise<Services> {
  const forceEmbedded = o.forceEmbedded || (o.mode === "start" && env.CENSUS_EMBEDDED);
  const home = resolve(env.CENSUS_HOME);
  const running = readState(home);
  const urls: Record<Name, string> = { postgres: env.DATABASE_URL, redis: env.REDIS_URL };
  const toStart: Name[] = [];

  for (const name of ["postgres", "redis"] as const) {
    const spec = SPEC[name];
    if (env.configured[name]) {
      // Sentinels name the master: REDIS_URL then carries only credentials, nothing to probe.
      if (name === "redis" && env.REDIS_SENTINELS) continue;
      if (!(await reachable(urls[name]))) {
        throw new AppError(
          "SERVICE_UNAVAILABLE",
          `${spec.variable} points to ${redactUrl(urls[name])} and nothing answers there. Start ${spec.label} there, correct ${spec.variable}, or unset it: \`npm start\` then uses the local default or starts an embedded ${spec.label}.`,
        );
      }
      continue;
    }
    const theirs = running?.[name];
    if (theirs && (await reachable(theirs))) {
      urls[name] = theirs;
      continue;
    }
    if (!forceEmbedded && (await reachable(spec.fallback))) {
      urls[name] = spec.fallback;
      continue;
    }
    if (o.mode === "find") {
      throw new AppError(
        "SERVICE_UNAVAILABLE",
        `${spec.variable} is not set, nothing answers at ${redactUrl(spec.fallback)}, and no \`census start\` with embedded services is running from ${home}. Run \`npm start\` first (it starts embedded ${spec.label} when needed), or set ${spec.variable}.`,
      );
    }
    toStart.push(name);
  }

  const withUrls = () => ({ ...env, DATABASE_URL: urls.postgres, REDIS_URL: urls.redis });
  if (toStart.length === 0) return { env: withUrls(), stop: async () => {} };

  // An owner killed outright stops its services through their watchdogs (watchdog.ts); should one
  // still run (a watchdog killed too), stop it before its port or files are taken again.
  const stale = readAnyState(home);
  if (stale && !alive(stale.pid)) {
    for (const pid of stale.children) if (alive(pid)) process.kill(pid, "SIGTERM");
  }

  const started: Partial<Record<Name, Embedded>> = {};
  const children: number[] = [];
  const stopAll = async () => {
    clearState(home);
    await Promise.all(Object.values(started).map((s) => s?.stop().catch(() => {})));
  };
  try {
    for (const name of toStart) {
      const service =
        name === "postgres" ? await startEmbeddedPostgres(home, log) : await startEmbeddedRedis(home, log);
      started[name] = service;
      children.push(service.pid);
      urls[name] = service.url;
      const where = service.moved ? `${service.data} (${service.moved})` : service.data;
      log.info(
        { url: redactUrl(urls[name]), data: service.data, pid: service.pid },
        `started an embedded ${SPEC[name].label} (${SPEC[name].variable} unset${forceEmbedded ? ", --embedded" : ` and nothing on ${redactUrl(SPEC[name].fallback)}`}); data in ${where}; it stops with this process. Set ${SPEC[name].variable} to use your own.`,
      );
    }
  } catch (err) {
    await stopAll();
    throw err;
  }
  // Other commands find what we started here; a living owner's file is left alone.
  if (!running) {
    writeState(home, {
      pid: process.pid,
      ...(started.postgres ? { postgres: urls.postgres } : {}),
      ...(started.redis ? { redis: urls.redis } : {}),
      children,
    });
  }
  return { env: withUrls(), stop: stopAll };
}
