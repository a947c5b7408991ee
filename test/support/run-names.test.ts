import { describe, expect, it } from "vitest";
import { extraDatabaseName, isAbandoned, runDatabaseName, runStarted } from "./run-names";

const at = new Date("2026-05-20T10:30:12.345Z");

describe("runDatabaseName", () => {
  it.each([
    ["census_test", "ab12", "census_test_20260520103012_ab12"],
    ["census_test_bare", "ab12", "census_test_bare_20260520103012_ab12"],
    ["Census-Test", "AB12", "census_test_20260520103012_ab12"],
    ["", "ab12", "census_test_20260520103012_ab12"],
    ["a_very_long_database_name_from_someone", "ab12", "a_very_long_database_nam_20260520103012_ab12"],
  ])("%s -> a name of its own", (base, random, name) => {
    expect(runDatabaseName(base, at, random)).toBe(name);
  });

  it("leaves room for an extra database within Postgres's 63 characters", () => {
    const run = runDatabaseName("x".repeat(100), at, "ab12");
    expect(extraDatabaseName(run, "freshinstall", "abcdef").length).toBeLessThanOrEqual(63);
  });
});

describe("runStarted and isAbandoned", () => {
  const now = new Date("2026-05-22T12:00:00Z");
  it.each([
    ["census_test_20260520103012_ab12", "census_test", true],
    ["census_test_20260520103012_ab12_smoke_abcdef", "census_test", true],
    ["census_test_20260522100000_ab12", "census_test", false], // two hours old: a run in progress
    ["census_test_20260520103012_ab12", "census_test_bare", false], // another base's
    ["census_test_bare_20260520103012_ab12", "census_test", false], // "bare" is no time stamp
    ["census_test", "census_test", false],
    ["census_test_lead", "census_test", false],
    ["census_test_20261399999999_ab12", "census_test", false], // not a date
  ])("%s (base %s): abandoned %s", (name, base, abandoned) => {
    expect(isAbandoned(name, base, now)).toBe(abandoned);
  });

  it("reads back the start of the run that made a name", () => {
    expect(runStarted(runDatabaseName("census_test", at, "ab12"), "census_test")).toEqual(
      new Date("2026-05-20T10:30:12Z"),
    );
  });
});
