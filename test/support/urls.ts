import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, inject } from "vitest";
import { bootstrapDatabase } from "../../src/db/bootstrap";
import { createPool } from "../../src/db/client";
import type { Taxonomy } from "../../src/taxonomy/mapping";
import { extraDatabaseName } from "./run-names";

// This run's Postgres database and Redis, as the global setup decided them (global-setup.ts): the
// suite never depends on the developer's DATABASE_URL, and each run has a database of its own.
export const TEST_DATABASE_URL = inject("testDatabaseUrl");
export const TEST_REDIS_URL = inject("testRedisUrl");

/** The URL of a database (not created yet) of this run's own, for a test that needs one to itself. */
export function extraDatabaseUrl(label: string): string {
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${extraDatabaseName(url.pathname.slice(1), label, randomBytes(3).toString("hex"))}`;
  return url.toString();
}

/**
 * Drops a database a test made, once the connections to it have closed: stop what the test
 * started first. pool.end() resolves before its sockets close, and a FORCE drop would then hit a
 * client with no error listener left. One still held after the deadline is left to the global
 * teardown, which drops this run's databases.
 */
export async function dropExtraDatabase(url: string, timeoutMs = 15_000): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  const admin = new URL(TEST_DATABASE_URL);
  admin.pathname = "/postgres";
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { rows } = await client.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1",
        [name],
      );
      if (rows[0]?.n === 0 || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)}`).catch(() => {});
  } finally {
    await client.end();
  }
}

/** Creates a database of this run's own, migrated: for a test whose answers must see only its data. */
export async function createExtraDatabase(label: string): Promise<string> {
  const url = extraDatabaseUrl(label);
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(new URL(url).pathname.slice(1))}`);
  } finally {
    await admin.end();
  }
  const { runMigrations } = await import("../../src/db/migrate");
  const { createLogger } = await import("../../src/platform/logger");
  await runMigrations(url, createLogger("silent"));
  return url;
}

interface OwnSetup {
  taxonomy: Taxonomy;
  kMinEvents: number;
  poolMax: number;
}

/** A bootstrapped database of its own and a pool on it; `close` ends the pool and drops it. */
async function openOwnDatabase(label: string, setup: OwnSetup) {
  const url = await createExtraDatabase(label);
  const pool = createPool(url, { max: setup.poolMax });
  const close = async () => {
    await pool.end();
    await dropExtraDatabase(url);
  };
  try {
    await bootstrapDatabase(pool, { taxonomy: setup.taxonomy, kMinEvents: setup.kMinEvents });
  } catch (err) {
    await close();
    throw err;
  }
  return { pool, close };
}

/**
 * Runs `body` on a bootstrapped database of its own (created, then dropped however it ends): for
 * tests that create, move or drop what no other file may see.
 */
export async function withOwnDatabase(
  label: string,
  setup: OwnSetup,
  body: (pool: pg.Pool) => Promise<void>,
): Promise<void> {
  const own = await openOwnDatabase(label, setup);
  try {
    await body(own.pool);
  } finally {
    await own.close();
  }
}

/** The same for a whole test file: created before its tests (`ready` gets the pool), dropped after. */
export function useOwnDatabase(label: string, setup: OwnSetup, ready: (pool: pg.Pool) => void): void {
  let own: Awaited<ReturnType<typeof openOwnDatabase>> | undefined;
  beforeAll(async () => {
    own = await openOwnDatabase(label, setup);
    ready(own.pool);
  });
  afterAll(() => own?.close());
}
