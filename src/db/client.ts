import { drizzle } from "drizzle-orm/node-postgres";
import pg from "pg";
import * as schema from "./schema";

// DATE columns stay "YYYY-MM-DD" strings: turning them into JS Dates would shift them by the
// process's time zone.
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);

export interface PoolOptions {
  max?: number;
  /** Give up connecting after this long: a black-holed database must not hang a request forever. */
  connectTimeoutMs?: number;
  /** Server-side cap per statement (the API's pool); long jobs such as remap run without one. */
  statementTimeoutMs?: number;
}

export function createPool(url: string, o: PoolOptions & { applicationName?: string } = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: o.max ?? 10,
    application_name: o.applicationName ?? "prompt-census",
    connectionTimeoutMillis: o.connectTimeoutMs ?? 5000,
    ...(o.statementTimeoutMs ? { statement_timeout: o.statementTimeoutMs } : {}),
  });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on("error", () => {});
  return pool;
}

/**
 * The pool stats and analytics read from: a read replica's when DATABASE_READ_URL names one
 * (its own application_name, so pg_stat_activity tells the two apart), else the primary itself.
 * Their answers may lag the primary by the replica's delay; writes never go there.
 */
export function createReadPool(readUrl: string | undefined, primary: pg.Pool, o: PoolOptions = {}): pg.Pool {
  return readUrl ? createPool(readUrl, { ...o, applicationName: "prompt-census-read" }) : primary;
}

export function createDb(pool: pg.Pool) {
  return drizzle(pool, { schema });
}

export type Db = ReturnType<typeof createDb>;

/** Runs `fn` in one transaction on one client of the pool: committed when it returns, rolled back
 * when it throws, the client released either way. */
export async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const result = await fn(client);
    await client.query("COMMIT");
    return result;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}
