import { Redis } from "ioredis";
import pg from "pg";
import { runMigrations } from "../../src/db/migrate";
import { createLogger } from "../../src/platform/logger";
import { TEST_DATABASE_URL, TEST_REDIS_URL } from "./urls";

/** A fresh database migrated from migrations/ (the real SQL, never `push`), once per run. */
export default async function setup() {
  const url = new URL(TEST_DATABASE_URL);
  const name = url.pathname.slice(1);
  const admin = new URL(TEST_DATABASE_URL);
  admin.pathname = "/postgres";
  const client = new pg.Client({ connectionString: admin.toString() });
  try {
    await client.connect();
  } catch (err) {
    throw new Error(
      `Postgres is not reachable at ${admin.host} (${(err as Error).message}). Start it or set TEST_DATABASE_URL.`,
    );
  }
  await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
  await client.end();
  await runMigrations(TEST_DATABASE_URL, createLogger("warn"));

  const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    throw new Error(`Redis is not reachable at ${TEST_REDIS_URL} (${(err as Error).message}).`);
  } finally {
    redis.disconnect();
  }
}
