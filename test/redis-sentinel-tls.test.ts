import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { postAndDrain } from "./support/census-pair";
import { selfSignedCert, startRedisServer } from "./support/redis-servers";

// The other engines operators run Redis on: a master found through Sentinel, and TLS with a
// private CA. Each with `census api` and `census worker` on a redis-server started here.

const PROMPTS = 100;

describe("Redis through Sentinel and over TLS", () => {
  it(`REDIS_SENTINELS: the master comes from the sentinel; ${PROMPTS} prompts become events`, async () => {
    const master = await startRedisServer();
    const sentinel = await startRedisServer({ sentinel: { masterPort: master.port, name: "census" } });
    try {
      const run = await postAndDrain({
        redisEnv: {
          REDIS_SENTINELS: `127.0.0.1:${sentinel.port}`,
          REDIS_SENTINEL_NAME: "census",
          // nothing answers here: only the sentinel can have named the master
          REDIS_URL: "redis://127.0.0.1:1",
          QUEUE_PREFIX: `s${randomBytes(4).toString("hex")}`,
        },
        prompts: PROMPTS,
      });
      expect(run.output).not.toContain("REDIS_DATA_LOST");
    } finally {
      await sentinel.stop();
      await master.stop();
    }
  });

  it(`rediss:// with REDIS_TLS_CA_FILE: ${PROMPTS} prompts become events over TLS only`, async () => {
    const cert = await selfSignedCert();
    const server = await startRedisServer({ tls: cert });
    try {
      await postAndDrain({
        redisEnv: {
          REDIS_URL: `rediss://127.0.0.1:${server.port}`,
          REDIS_TLS_CA_FILE: cert.caFile,
          QUEUE_PREFIX: `t${randomBytes(4).toString("hex")}`,
        },
        prompts: PROMPTS,
      });
    } finally {
      await server.stop();
      rmSync(cert.dir, { recursive: true, force: true });
    }
  });
});
