import { describe, expect, it } from "vitest";
import { judgeMarker } from "./redis-marker";

describe("judgeMarker", () => {
  it.each([
    // at start (the process knows no token yet)
    ["first start: empty Redis, nothing recorded", { inRedis: null, recorded: null, known: null }, "first"],
    ["start on a Redis that kept its data", { inRedis: "a", recorded: "a", known: null }, "ok"],
    ["start on an empty Redis that had a marker", { inRedis: null, recorded: "a", known: null }, "lost"],
    ["start: a marker Postgres does not hold yet", { inRedis: "a", recorded: null, known: null }, "adopt"],
    ["start while another process re-arms", { inRedis: "b", recorded: "a", known: null }, "adopt"],
    // later (reconnects, periodic checks)
    ["reconnect to a Redis that kept its data", { inRedis: "a", recorded: null, known: "a" }, "ok"],
    ["reconnect to an empty Redis", { inRedis: null, recorded: null, known: "a" }, "lost"],
    ["another process noticed first and re-armed", { inRedis: "b", recorded: null, known: "a" }, "lost"],
  ] as const)("%s", (_name, m, verdict) => {
    expect(judgeMarker(m)).toBe(verdict);
  });
});
