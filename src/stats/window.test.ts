import { describe, expect, it } from "vitest";
import type { FloorGrain, Interval } from "../vocabulary";
import { snapWindow } from "./window";

describe("snapWindow", () => {
  it.each<[Interval, string, string, string, string]>([
    // interval, from, to (exclusive), snapped from, snapped to
    ["day", "2025-03-04", "2025-03-06", "2025-03-04", "2025-03-06"],
    ["range", "2025-03-04", "2025-03-06", "2025-03-04", "2025-03-06"],
    ["week", "2025-03-05", "2025-03-06", "2025-03-03", "2025-03-10"], // a Wednesday to its week
    ["week", "2025-03-03", "2025-03-10", "2025-03-03", "2025-03-10"], // already whole: unchanged
    ["week", "2025-03-09", "2025-03-11", "2025-03-03", "2025-03-17"], // Sunday..Monday: two weeks
    ["week", "2024-12-30", "2025-01-01", "2024-12-30", "2025-01-06"], // across a year
    ["month", "2025-03-04", "2025-03-06", "2025-03-01", "2025-04-01"],
    ["month", "2025-03-01", "2025-04-01", "2025-03-01", "2025-04-01"],
    ["month", "2024-12-15", "2025-01-02", "2024-12-01", "2025-02-01"],
    ["month", "2024-02-29", "2024-03-01", "2024-02-01", "2024-03-01"], // a leap day
  ])("%s [%s, %s) -> [%s, %s)", (interval, from, to, snappedFrom, snappedTo) => {
    expect(snapWindow(interval, from, to)).toEqual({ from: snappedFrom, to: snappedTo });
  });

  it.each<[Interval, FloorGrain, string, string, string, string]>([
    // interval, grain, from, to (exclusive), snapped from, snapped to: the interval, then the grain
    ["day", "day", "2025-03-05", "2025-03-06", "2025-03-05", "2025-03-06"],
    ["day", "week", "2025-03-05", "2025-03-06", "2025-03-03", "2025-03-10"],
    ["range", "week", "2025-03-05", "2025-03-12", "2025-03-03", "2025-03-17"],
    ["week", "week", "2025-03-05", "2025-03-06", "2025-03-03", "2025-03-10"],
    ["month", "week", "2025-03-04", "2025-03-06", "2025-02-24", "2025-04-07"], // whole weeks round a month
    ["day", "month", "2025-03-04", "2025-03-06", "2025-03-01", "2025-04-01"],
    ["week", "month", "2025-03-05", "2025-03-06", "2025-03-01", "2025-04-01"],
    ["range", "month", "2025-03-31", "2025-04-02", "2025-03-01", "2025-05-01"],
  ])("%s under a %s grain: [%s, %s) -> [%s, %s)", (interval, grain, from, to, snappedFrom, snappedTo) => {
    expect(snapWindow(interval, from, to, grain)).toEqual({ from: snappedFrom, to: snappedTo });
  });
});
