// The window an answer publishes: whole periods of its interval, then whole grains of the privacy
// floor (FLOOR_GRAIN), as analytics.window_from and analytics.window_to (sql/analytics.sql) compute
// it, so the API can say which days it covers. A week starts on Monday and a month on the 1st;
// `day` and `range` keep the days asked for when the grain is a day.

import type { FloorGrain, Interval } from "../vocabulary";

const DAY = 86_400_000;
const parse = (d: string) => new Date(`${d}T00:00:00Z`);
const iso = (d: Date) => d.toISOString().slice(0, 10);

/** The first day of the period `day` falls in. */
function periodStart(interval: "week" | "month", day: Date): Date {
  if (interval === "month") return new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), 1));
  const sinceMonday = (day.getUTCDay() + 6) % 7;
  return new Date(day.getTime() - sinceMonday * DAY);
}

function nextPeriod(interval: "week" | "month", start: Date): Date {
  if (interval === "month") return new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
  return new Date(start.getTime() + 7 * DAY);
}

function snap(period: Interval | FloorGrain, from: string, to: string): { from: string; to: string } {
  if (period === "day" || period === "range") return { from, to };
  const lastDay = new Date(parse(to).getTime() - DAY);
  return {
    from: iso(periodStart(period, parse(from))),
    to: iso(nextPeriod(period, periodStart(period, lastDay))),
  };
}

/** Widens [from, to) (`to` exclusive, YYYY-MM-DD) to whole periods of `interval`, then whole grains. */
export function snapWindow(
  interval: Interval,
  from: string,
  to: string,
  grain: FloorGrain = "day",
): { from: string; to: string } {
  const w = snap(interval, from, to);
  return snap(grain, w.from, w.to);
}
