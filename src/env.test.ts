import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { envSchema, parseEnv } from "./env";
import { fromRoot } from "./platform/paths";

describe("parseEnv", () => {
  it("has working defaults for a fresh machine", () => {
    const env = parseEnv({});
    expect(env).toMatchObject({
      PORT: 8080,
      DATABASE_URL: "postgres://postgres@127.0.0.1:5432/census",
      REDIS_URL: "redis://127.0.0.1:6379",
      SAMPLE_RATE: 0.0025,
      MAX_CHARS: 1000,
      CONFIDENCE_THRESHOLD: 0.5,
      GOOGLE_QPM: 600,
      K_MIN_EVENTS: 10,
      usingDevSecret: true,
    });
  });

  it.each([
    [{}, "127.0.0.1"],
    [{ NODE_ENV: "production", HMAC_SECRET: "s".repeat(32) }, "0.0.0.0"],
    [{ NODE_ENV: "production", HMAC_SECRET: "s".repeat(32), HOST: "10.0.0.5" }, "10.0.0.5"],
  ])("HOST for %o is %s", (source, host) => {
    expect(parseEnv(source).HOST).toBe(host);
  });

  it.each([
    [undefined, 604_800],
    ["0", 0],
    ["3600", 3600],
    ["90s", 90],
    ["30m", 1800],
    ["12h", 43_200],
    ["1.5d", 129_600],
  ])("CLASSIFY_CACHE_TTL %s is %i seconds", (ttl, seconds) => {
    expect(parseEnv(ttl === undefined ? {} : { CLASSIFY_CACHE_TTL: ttl }).CLASSIFY_CACHE_TTL).toBe(seconds);
  });

  it("refuses a cache TTL it cannot read", () => {
    expect(() => parseEnv({ CLASSIFY_CACHE_TTL: "a week" })).toThrow(/CLASSIFY_CACHE_TTL:/);
  });

  it("takes a Redis Cluster hash tag as QUEUE_PREFIX", () => {
    expect(parseEnv({ QUEUE_PREFIX: "{census}" }).QUEUE_PREFIX).toBe("{census}");
  });

  it("treats empty strings as unset", () => {
    expect(parseEnv({ PORT: "", SAMPLE_RATE: "" }).PORT).toBe(8080);
  });

  it.each([
    [{ SAMPLE_RATE: "0" }, "SAMPLE_RATE"],
    [{ SAMPLE_RATE: "1.5" }, "SAMPLE_RATE"],
    [{ PORT: "http" }, "PORT"],
    [{ HMAC_SECRET: "short" }, "HMAC_SECRET"],
    [{ NODE_ENV: "production" }, "HMAC_SECRET"],
    [{ LANGUAGE_EMULATOR_HOST: "http://localhost:8085" }, "LANGUAGE_EMULATOR_HOST"],
    [{ CONFIDENCE_THRESHOLD: "2" }, "CONFIDENCE_THRESHOLD"],
    [{ QUEUE_PREFIX: "cen:sus" }, "QUEUE_PREFIX"],
    [{ QUEUE_PREFIX: "{census" }, "QUEUE_PREFIX"],
    // a Cluster runs multi-key scripts only within one slot
    [{ REDIS_CLUSTER: "1", REDIS_URL: "redis://n1:7000", QUEUE_PREFIX: "census" }, "QUEUE_PREFIX"],
    [{ REDIS_CLUSTER: "1" }, "REDIS_URL"],
    [{ REDIS_SENTINELS: "10.0.0.1" }, "REDIS_SENTINELS"],
    [{ REDIS_SENTINELS: "a:1,b" }, "REDIS_SENTINELS"],
    [{ REDIS_CLUSTER: "1", REDIS_URL: "redis://n1:7000", REDIS_SENTINELS: "a:26379" }, "REDIS_SENTINELS"],
    [{ DATABASE_READ_URL: "replica" }, "DATABASE_READ_URL"],
  ])("%o is rejected naming %s", (source, name) => {
    expect(() => parseEnv(source)).toThrow(new RegExp(`${name}:`));
  });

  it.each([
    [{}, "census"],
    [{ REDIS_CLUSTER: "1", REDIS_URL: "redis://n1:7000" }, "{census}"],
    [{ REDIS_CLUSTER: "1", REDIS_URL: "redis://n1:7000", QUEUE_PREFIX: "{mine}" }, "{mine}"],
    [{ QUEUE_PREFIX: "{mine}" }, "{mine}"],
  ])("QUEUE_PREFIX for %o is %s", (source, prefix) => {
    expect(parseEnv(source).QUEUE_PREFIX).toBe(prefix);
  });

  it.each([
    [{}, false],
    [{ REDIS_URL: "redis://r:6379" }, true],
    [{ REDIS_SENTINELS: "s1:26379,s2:26379" }, true],
  ])("Redis for %o is the operator's: %s", (source, configured) => {
    expect(parseEnv(source).configured.redis).toBe(configured);
  });

  it("lists every bad variable at once", () => {
    expect(() => parseEnv({ PORT: "x", MAX_CHARS: "-1" })).toThrow(/PORT:[\s\S]*MAX_CHARS:/);
  });
});

describe("the documented environment", () => {
  // Operators and checks rely on these names: every variable the service reads is listed in
  // .env.example, with a value that parses, and in the README's table.
  const names = Object.keys(envSchema.in.shape);
  const example = readFileSync(fromRoot(".env.example"), "utf8");
  const readme = readFileSync(fromRoot("README.md"), "utf8");

  it.each(names)("%s is in .env.example and the README", (name) => {
    expect(example).toMatch(new RegExp(`^${name}=`, "m"));
    expect(readme).toContain(`\`${name}\``);
  });

  it(".env.example parses as it stands", () => {
    const values = Object.fromEntries(
      example
        .split("\n")
        .map((line) => /^([A-Z0-9_]+)=(\S*)/.exec(line))
        .filter((m): m is RegExpExecArray => m !== null && m[2] !== "")
        .map((m) => [m[1], m[2]]),
    );
    expect(() => parseEnv(values)).not.toThrow();
  });
});
