import pg from "pg";
import { describe, expect, it } from "vitest";
import { newestGenerated, render, sqlFiles } from "../scripts/sql-migration.mjs";
import { runMigrations } from "../src/db/migrate";
import { createLogger } from "../src/platform/logger";
import { dropExtraDatabase, extraDatabaseUrl, TEST_DATABASE_URL } from "./support/urls";

// sql/ is the one home of the functions and views that are current (issue 19, item 5): a database
// migrated from scratch must define every one of them exactly as sql/ does, and no other. Checked
// by dropping every function and view of schemas public and analytics (in a transaction rolled
// back) and applying sql/ alone: the definitions Postgres prints must not change.

const OWN = `n.nspname IN ('public', 'analytics') AND NOT EXISTS
  (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')`;

/** Every function's and view's definition as Postgres prints it, by name. */
async function definitions(client: pg.Client): Promise<Record<string, string>> {
  const { rows } = await client.query<{ name: string; def: string }>(`
    SELECT 'function ' || p.oid::regprocedure::text AS name, pg_get_functiondef(p.oid) AS def
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE p.prokind = 'f' AND ${OWN}
    UNION ALL
    SELECT 'view ' || schemaname || '.' || viewname, definition FROM pg_views
    WHERE schemaname IN ('public', 'analytics')`);
  return Object.fromEntries(rows.map((r) => [r.name, r.def]));
}

async function dropAll(client: pg.Client): Promise<void> {
  await client.query(`DO $$ DECLARE r record; BEGIN
    FOR r IN SELECT schemaname, viewname FROM pg_views WHERE schemaname IN ('public', 'analytics') LOOP
      EXECUTE format('DROP VIEW IF EXISTS %I.%I CASCADE', r.schemaname, r.viewname);
    END LOOP;
    FOR r IN SELECT p.oid::regprocedure AS f FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
      WHERE p.prokind = 'f' AND ${OWN} LOOP
      EXECUTE format('DROP FUNCTION IF EXISTS %s CASCADE', r.f);
    END LOOP;
  END $$`);
}

describe("sql/, the one home of the current SQL", () => {
  it("the newest migration scripts/sql-migration.mjs made is what sql/ makes now", () => {
    expect(newestGenerated()?.text).toBe(render());
  });

  it("a migrated database defines every function and view exactly as sql/ does, and no other", async () => {
    const url = extraDatabaseUrl("sqlhome");
    const admin = new pg.Pool({ connectionString: TEST_DATABASE_URL, max: 1 });
    await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(new URL(url).pathname.slice(1))}`);
    await admin.end();
    await runMigrations(url, createLogger("silent"));
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const migrated = await definitions(client);
      await client.query("BEGIN");
      await dropAll(client);
      expect(await definitions(client)).toEqual({});
      for (const text of sqlFiles()) await client.query(text);
      const fromSql = await definitions(client);
      await client.query("ROLLBACK");
      expect(Object.keys(migrated).length).toBeGreaterThan(30);
      expect(fromSql).toEqual(migrated);
    } finally {
      await client.end();
      await dropExtraDatabase(url);
    }
  });
});
