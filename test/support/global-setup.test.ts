import pg from "pg";
import { describe, expect, it } from "vitest";
import type { TestProject } from "vitest/node";
import setup from "./global-setup";
import { TEST_DATABASE_URL, TEST_REDIS_URL } from "./urls";

// Two runs of the suite on one server, both told the same TEST_DATABASE_URL (as two developers
// with the default census_test are): the second run's setup and teardown must not drop the first
// run's database or cut its connections. This run plays the first; the second is run here.

const dbName = (url: string) => new URL(url).pathname.slice(1);

async function exists(client: pg.Client, name: string): Promise<boolean> {
  const { rows } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
  return rows.length > 0;
}

describe("the global setup", () => {
  it("a second run on the same server and name leaves this run's database and connections alone", async () => {
    const mine = new pg.Client({ connectionString: TEST_DATABASE_URL });
    const cut: Error[] = [];
    mine.on("error", (err) => cut.push(err));
    await mine.connect();
    const saved = { db: process.env.TEST_DATABASE_URL, redis: process.env.TEST_REDIS_URL };
    process.env.TEST_DATABASE_URL = TEST_DATABASE_URL;
    process.env.TEST_REDIS_URL = TEST_REDIS_URL;
    try {
      const provided = new Map<string, unknown>();
      const project = { provide: (key: string, value: unknown) => provided.set(key, value) };
      const teardown = await setup(project as unknown as TestProject);
      const theirs = String(provided.get("testDatabaseUrl"));
      expect(dbName(theirs)).not.toBe(dbName(TEST_DATABASE_URL));
      expect(await exists(mine, dbName(theirs))).toBe(true); // made, and migrated
      await teardown();
      expect(await exists(mine, dbName(theirs))).toBe(false); // its own, dropped at its end

      // this run's connection still works, on its database, which is still there
      expect((await mine.query("SELECT current_database() AS db")).rows).toEqual([
        { db: dbName(TEST_DATABASE_URL) },
      ]);
      expect(cut).toEqual([]);
    } finally {
      process.env.TEST_DATABASE_URL = saved.db;
      process.env.TEST_REDIS_URL = saved.redis;
      if (saved.db === undefined) delete process.env.TEST_DATABASE_URL;
      if (saved.redis === undefined) delete process.env.TEST_REDIS_URL;
      await mine.end().catch(() => {});
    }
  }, 120_000);
});
