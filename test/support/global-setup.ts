import { randomBytes } from "node:crypto";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { runMigrations } from "../../src/db/migrate";
import { createLogger } from "../../src/platform/logger";
import { isAbandoned, runDatabaseName } from "./run-names";
import { provideTestServices, type TestServices } from "./test-services";

// Once per `npm test`, in vitest's main process: find (or start) Postgres and Redis, make this
// run's own database from migrations/ (the real SQL, never `push`), hand the URLs to the test
// workers (`inject` in urls.ts), and at the end drop this run's databases and stop what it started.

declare module "vitest" {
  export interface ProvidedContext {
    testDatabaseUrl: string;
    testRedisUrl: string;
  }
}

const say = (line: string) => process.stderr.write(`[census tests] ${line}\n`);

function adminUrl(url: string): string {
  const admin = new URL(url);
  admin.pathname = "/postgres";
  return admin.toString();
}

async function withAdmin<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl(url) });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Databases of runs killed before their teardown, a day old and unused: dropped without FORCE. */
async function dropAbandoned(client: pg.Client, base: string) {
  const { rows } = await client.query<{ datname: string }>(
    "SELECT datname FROM pg_database d WHERE NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datname = d.datname)",
  );
  for (const { datname } of rows) {
    if (isAbandoned(datname, base, new Date())) {
      await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(datname)}`).catch(() => {});
    }
  }
}

/** This run's database and the extra ones its tests made and left (a failed test's). Only this
 * run's processes can be using them, so whatever still holds one is this run's leftover. */
async function dropRunDatabases(client: pg.Client, run: string) {
  const { rows } = await client.query<{ datname: string }>(
    "SELECT datname FROM pg_database WHERE datname = $1 OR starts_with(datname, $1 || '_')",
    [run],
  );
  for (const { datname } of rows) {
    await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(datname)} WITH (FORCE)`);
  }
}

/**
 * The shipped model catalogue, stored before any test writes: release units are of one model
 * group (sql/floor.sql), and a service a test starts stores it too, which would rebuild every unit
 * mid-run if this run's database began without it. Extra databases start without one (every
 * model `unknown`) unless their test stores it.
 */
async function storeDefaultCatalogue(url: string) {
  const { loadCatalogue } = await import("../../src/catalogue/catalogue");
  const { storeCatalogue } = await import("../../src/catalogue/store");
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  try {
    await storeCatalogue(pool, loadCatalogue());
  } finally {
    await pool.end();
  }
}

export default async function setup(project: TestProject) {
  let services: TestServices | undefined;
  let run = "";
  try {
    services = await provideTestServices(process.env);
    if (services.embedded.length > 0) {
      const { embedded } = services;
      say(
        `${embedded.map((e) => e.why).join("; ")}: this run uses an embedded ${embedded.map((e) => e.what).join(" and an embedded ")}, stopped at its end`,
      );
    }
    const base = new URL(services.databaseUrl).pathname.slice(1) || "census_test";
    run = runDatabaseName(base, new Date(), randomBytes(2).toString("hex"));
    const url = new URL(services.databaseUrl);
    url.pathname = `/${run}`;
    await withAdmin(url.toString(), (client) => dropAbandoned(client, base));
    await runMigrations(url.toString(), createLogger("warn")); // creates the database first
    await storeDefaultCatalogue(url.toString());
    project.provide("testDatabaseUrl", url.toString());
    project.provide("testRedisUrl", services.redisUrl);
  } catch (err) {
    // Thrown from here, vitest would print "No test files found" before the reason: say it
    // plainly and stop, after stopping anything this setup started.
    const made = services;
    if (made && run) await withAdmin(made.databaseUrl, (c) => dropRunDatabases(c, run)).catch(() => {});
    await made?.stop();
    say(`cannot run the tests: ${(err as Error).message}`);
    process.exit(1);
  }
  const ready = services;
  return async () => {
    await withAdmin(ready.databaseUrl, (client) => dropRunDatabases(client, run)).catch((err) =>
      say(`could not drop this run's databases (${run}*): ${(err as Error).message}`),
    );
    await ready.stop();
  };
}
