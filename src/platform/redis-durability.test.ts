import { describe, expect, it } from "vitest";
import { assessRedis } from "./redis-durability";

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
