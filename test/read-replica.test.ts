import pg from "pg";
import { describe, expect, it } from "vitest";
import { bootstrapDatabase } from "../src/db/bootstrap";
import { loadTaxonomy } from "../src/taxonomy/load";
import { seed } from "./support/seed";
import { createStack, json } from "./support/stack";
import { createExtraDatabase, dropExtraDatabase } from "./support/urls";

// DATABASE_READ_URL: the stats read a replica, everything else the primary. A database of its
// own stands in for the replica, with events only it holds, so an answer shows where it was read.

describe("DATABASE_READ_URL", () => {
  it("sends the stats reads to the replica and keeps the rest on DATABASE_URL", async () => {
    // the primary is a database of its own too: another test's events in the run's shared one
    // would land in the same window
    const primaryUrl = await createExtraDatabase("primary");
    const replica = await createExtraDatabase("replica");
    const replicaPool = new pg.Pool({ connectionString: replica, max: 2 });
    let stack: Awaited<ReturnType<typeof createStack>> | undefined;
    try {
      await bootstrapDatabase(replicaPool, { taxonomy: loadTaxonomy(), kMinEvents: 10 });
      await seed(replicaPool, [{ day: "2016-02-02", category: "programming", model: "openai/gpt-5", n: 12 }]);

      stack = await createStack({
        worker: false,
        env: { DATABASE_URL: primaryUrl, DATABASE_READ_URL: replica },
      });
      // the key is checked on the primary: only it holds the keys
      const key = await stack.key("read");
      const res = await stack.app.request(
        "/v1/stats/categories?from=2016-02-01&to=2016-02-15&engine=synthetic",
        {
          headers: { authorization: `Bearer ${key}` },
        },
      );
      expect(res.status).toBe(200);
      const body = await json(res);
      expect(body.rows).toContainEqual(expect.objectContaining({ category: "programming", events: 12 }));

      // the primary holds none of them, and the replica's connection says who it is
      const primary = await stack.deps.pool.query(
        "SELECT count(*)::int AS n FROM prompt_events WHERE observed_hour >= '2016-02-01' AND observed_hour < '2016-02-15'",
      );
      expect(primary.rows[0].n).toBe(0);
      const who = await stack.deps.readPool.query<{ app: string; db: string }>(
        "SELECT current_setting('application_name') AS app, current_database() AS db",
      );
      expect(who.rows[0]).toEqual({ app: "prompt-census-read", db: new URL(replica).pathname.slice(1) });
    } finally {
      await stack?.close();
      await replicaPool.end();
      await dropExtraDatabase(replica);
      await dropExtraDatabase(primaryUrl);
    }
  });
});
