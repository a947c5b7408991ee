import { describe, expect, it } from "vitest";
import type { ClassifyPayload } from "../queue/jobs";
import { storedWindow } from "./enqueue";

const live = (observedHour: string) => ({ observedHour, source: "live" as ClassifyPayload["source"] });

describe("storedWindow", () => {
  it.each([
    [[live("2025-06-02T14:00:00.000Z")], "2025-05-01T00:00:00.000Z", "2025-07-01T00:00:00.000Z"],
    // a January job: the month before is last year's December
    [[live("2026-01-31T23:00:00.000Z")], "2025-12-01T00:00:00.000Z", "2026-02-01T00:00:00.000Z"],
    // a December job: the window ends with the next year's January
    [[live("2025-12-01T00:00:00.000Z")], "2025-11-01T00:00:00.000Z", "2026-01-01T00:00:00.000Z"],
    // a flush of several months spans them all, from a month before the first
    [
      [live("2025-06-02T14:00:00.000Z"), live("2025-03-10T00:00:00.000Z"), live("2025-06-30T23:00:00.000Z")],
      "2025-02-01T00:00:00.000Z",
      "2025-07-01T00:00:00.000Z",
    ],
    // a backfill's jobs may find their events in any earlier month
    [
      [
        live("2025-06-02T14:00:00.000Z"),
        { observedHour: "2025-06-02T15:00:00.000Z", source: "backfill" as const },
      ],
      "-infinity",
      "2025-07-01T00:00:00.000Z",
    ],
  ])("%j -> [%s, %s)", (jobs, from, to) => {
    expect(storedWindow(jobs)).toEqual([from, to]);
  });
});
