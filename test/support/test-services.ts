import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { answers, hostPort } from "../../src/embedded/net";
import { type Embedded, startEmbeddedPostgres } from "../../src/embedded/postgres";
import { startEmbeddedRedis } from "../../src/embedded/redis";
import { createLogger } from "../../src/platform/logger";

// Where the suite's Postgres and Redis come from, as `npm start` decides it (src/embedded/):
// TEST_DATABASE_URL / TEST_REDIS_URL when set; else the local defaults when they answer; else
// embedded ones for this run only, with their data in a temporary directory, stopped at the end.

export const DEFAULT_TEST_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/census_test";
export const DEFAULT_TEST_REDIS_URL = "redis://127.0.0.1:6379";

export interface TestServices {
  /** The server and the base of this run's database names (the path's name). */
  databaseUrl: string;
  redisUrl: string;
  /** What was started for this run and why, for the one line that says so. */
  embedded: { why: string; what: string }[];
  stop(): Promise<void>;
}

/** A set variable that points nowhere is a mistake to report, never a reason to start our own. */
export class NotReachable extends Error {}

const reachable = (url: string) => {
  const { host, port } = hostPort(url);
  return answers(host, port);
};

export async function provideTestServices(env: {
  TEST_DATABASE_URL?: string;
  TEST_REDIS_URL?: string;
}): Promise<TestServices> {
  const wanted = {
    postgres: env.TEST_DATABASE_URL || undefined,
    redis: env.TEST_REDIS_URL || undefined,
  };
  for (const [name, url] of Object.entries(wanted)) {
    if (url && !(await reachable(url))) {
      const variable = name === "postgres" ? "TEST_DATABASE_URL" : "TEST_REDIS_URL";
      throw new NotReachable(
        `${variable} points to ${new URL(url).host} and nothing answers there. Start it, correct ${variable}, or unset it (the tests then use 127.0.0.1, or embedded services when nothing answers there).`,
      );
    }
  }
  const needPostgres = !wanted.postgres && !(await reachable(DEFAULT_TEST_DATABASE_URL));
  const needRedis = !wanted.redis && !(await reachable(DEFAULT_TEST_REDIS_URL));
  const started: Embedded[] = [];
  const embedded: TestServices["embedded"] = [];
  let home: string | undefined;
  const stop = async () => {
    await Promise.all(started.map((s) => s.stop().catch(() => {})));
    if (home) rmSync(home, { recursive: true, force: true });
  };
  let databaseUrl = wanted.postgres ?? DEFAULT_TEST_DATABASE_URL;
  let redisUrl = wanted.redis ?? DEFAULT_TEST_REDIS_URL;
  if (needPostgres || needRedis) {
    home = mkdtempSync(join(tmpdir(), "census-test-services-"));
    chmodSync(home, 0o711); // ours; as root the embedded Postgres runs as the user postgres, who must enter it
    const log = createLogger("warn");
    try {
      if (needPostgres) {
        const pg = await startEmbeddedPostgres(home, log, {
          persistent: false,
          // a throwaway cluster: durability buys nothing here
          settings: {
            fsync: "off",
            synchronous_commit: "off",
            full_page_writes: "off",
            max_connections: "200",
          },
        });
        started.push(pg);
        databaseUrl = pg.url.replace(/\/census$/, "/census_test");
        embedded.push({
          why: "TEST_DATABASE_URL is unset and nothing answers on 127.0.0.1:5432",
          what: `Postgres on ${new URL(pg.url).host}`,
        });
      }
      if (needRedis) {
        const redis = await startEmbeddedRedis(home, log);
        started.push(redis);
        redisUrl = redis.url;
        embedded.push({
          why: "TEST_REDIS_URL is unset and nothing answers on 127.0.0.1:6379",
          what: `Redis on ${new URL(redis.url).host}`,
        });
      }
    } catch (err) {
      await stop();
      throw err;
    }
  }
  return { databaseUrl, redisUrl, embedded, stop };
}
