export interface Cell {
  period: string;
  events: number;
  value: number;
  estimated: number;
}

export type Total = Cell;

/**
 * Per-period sums of the rows. Rows hold released units only (sql/floor.sql), so a total is
 * one more sum of them: `total − Σ rows` is always 0 and nothing hidden is in either.
 */
export function totalsOf(rows: readonly Cell[]): Total[] {
  const byPeriod = new Map<string, Total>();
  for (const r of rows) {
    const t = byPeriod.get(r.period) ?? { period: r.period, events: 0, value: 0, estimated: 0 };
    t.events += r.events;
    t.value += r.value;
    t.estimated += r.estimated;
    byPeriod.set(r.period, t);
  }
  return [...byPeriod.values()];
}
