import { describe, expect, it } from "vitest";
import { assessRedis, refusal } from "./redis-durability";

const safe = { appendonly: "yes", appendfsync: "everysec", maxmemoryPolicy: "noeviction", save: "" };

describe("assessRedis", () => {
  it.each([
    ["AOF everysec, noeviction, no RDB", safe, []],
    ["AOF always", { ...safe, appendfsync: "always" }, []],
    ["AOF off (this machine's default Redis)", { ...safe, appendonly: "no" }, ["appendonly is off"]],
    ["appendfsync no", { ...safe, appendfsync: "no" }, ["appendfsync no"]],
    ["eviction", { ...safe, maxmemoryPolicy: "allkeys-lru" }, ["maxmemory-policy is allkeys-lru"]],
    ["RDB rules", { ...safe, save: "3600 1 300 100" }, ["RDB snapshots are on"]],
    [
      "Redis's own defaults",
      {
        appendonly: "no",
        appendfsync: "everysec",
        maxmemoryPolicy: "noeviction",
        save: "3600 1 300 100 60 10000",
      },
      ["appendonly is off", "RDB snapshots are on"],
    ],
  ])("%s", (_name, config, starts) => {
    const warnings = assessRedis(config);
    expect(warnings).toHaveLength(starts.length);
    starts.forEach((s, i) => {
      expect(warnings[i]?.startsWith(s)).toBe(true);
    });
  });
});

describe("refusal (NODE_ENV=production without ALLOW_VOLATILE_REDIS)", () => {
  it.each([
    ["AOF everysec, noeviction", safe, null],
    ["appendfsync no and RDB on only warn", { ...safe, appendfsync: "no", save: "3600 1" }, null],
    ["AOF off", { ...safe, appendonly: "no" }, "appendonly no,"],
    ["eviction", { ...safe, maxmemoryPolicy: "allkeys-lru" }, "maxmemory-policy allkeys-lru,"],
    [
      "both",
      { ...safe, appendonly: "no", maxmemoryPolicy: "volatile-lru" },
      "appendonly no and maxmemory-policy volatile-lru,",
    ],
  ])("%s", (_name, config, names) => {
    const line = refusal(config);
    if (names === null) return expect(line).toBeNull();
    expect(line).toContain(`Redis runs with ${names}`);
    // one line, and it names the setting to change and the way out
    expect(line).not.toContain("\n");
    expect(line).toContain("Set appendonly yes");
    expect(line).toContain("ALLOW_VOLATILE_REDIS=1");
  });
});
