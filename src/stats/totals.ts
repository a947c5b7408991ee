export interface Cell {
  period: string;
  suppressed: boolean;
  events: number | null;
  value: number | null;
  estimated: number | null;
}

export interface Total {
  period: string;
  events: number;
  value: number;
  estimated: number;
  suppressedCells: number;
}

/**
 * Per-period totals over the cells shown. Suppressed cells add nothing (not even zero-filled
 * estimates), so `total − Σ shown cells` is always 0 and gives no hidden value away.
 */
export function totalsOf(rows: readonly Cell[]): Total[] {
  const byPeriod = new Map<string, Total>();
  for (const r of rows) {
    const t = byPeriod.get(r.period) ?? {
      period: r.period,
      events: 0,
      value: 0,
      estimated: 0,
      suppressedCells: 0,
    };
    if (r.suppressed) t.suppressedCells += 1;
    else {
      t.events += r.events ?? 0;
      t.value += r.value ?? 0;
      t.estimated += r.estimated ?? 0;
    }
    byPeriod.set(r.period, t);
  }
  return [...byPeriod.values()];
}
