import { drizzle } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import pg from "pg";
import type { Logger } from "../platform/logger";
import { fromRoot } from "../platform/paths";

const MIGRATION_LOCK = 0x63656e73; // "cens"

export const MIGRATIONS_DIR = fromRoot("migrations");

/** Creates the target database when it does not exist (first `npm start` on a fresh machine). */
export async function ensureDatabase(url: string, log: Logger): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  if (!name) return;
  const probe = new pg.Client({ connectionString: url });
  try {
    await probe.connect();
    return;
  } catch (err) {
    if ((err as { code?: string }).code !== "3D000") throw err; // 3D000: invalid_catalog_name
  } finally {
    await probe.end().catch(() => {});
  }
  const admin = new URL(url);
  admin.pathname = "/postgres";
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
    log.info({ database: name }, "created database");
  } catch (err) {
    if ((err as { code?: string }).code !== "42P04") throw err; // created concurrently: fine
  } finally {
    await client.end();
  }
}

/** Applies the reviewed SQL in migrations/ (never `drizzle-kit push`). */
export async function runMigrations(url: string, log: Logger): Promise<void> {
  await ensureDatabase(url, log);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // API and worker processes may start together: a session lock makes the second one wait.
    await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK]);
    await migrate(drizzle(client), { migrationsFolder: MIGRATIONS_DIR });
    log.info("migrations applied");
  } finally {
    await client.end();
  }
}
