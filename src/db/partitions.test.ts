import { describe, expect, it } from "vitest";
import { keptFrom, monthsToDrop } from "./partitions";

describe("keptFrom", () => {
  it.each<[string, number, string]>([
    // now, --keep-months, first month kept
    ["2026-12-06T02:00:00Z", 1, "2026-12-01"], // this month only
    ["2026-12-06T02:00:00Z", 12, "2026-01-01"],
    ["2026-12-06T02:00:00Z", 13, "2025-12-01"], // across a year
    ["2026-01-31T23:59:59Z", 2, "2025-12-01"],
    ["2026-03-01T00:00:00Z", 1, "2026-03-01"], // a month's first instant is in it
  ])("at %s, %i months kept from %s", (now, keep, from) => {
    expect(keptFrom(new Date(now), keep)).toBe(from);
  });
});

describe("monthsToDrop", () => {
  const months = ["2026-03-01", "2025-11-01", "2026-12-01", "2027-01-01", "2026-01-01", "2025-12-01"];
  it.each<[number, string[]]>([
    [1, ["2025-11-01", "2025-12-01", "2026-01-01", "2026-03-01"]],
    [12, ["2025-11-01", "2025-12-01"]], // keeps 2026-01 .. 2026-12
    [13, ["2025-11-01"]],
    [120, []],
  ])("--keep-months %i drops %j (oldest first, months ahead never)", (keep, dropped) => {
    expect(monthsToDrop(months, new Date("2026-12-06T02:00:00Z"), keep)).toEqual(dropped);
  });
});
