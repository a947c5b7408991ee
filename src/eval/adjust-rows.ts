import { CATEGORIES, OTHERS } from "../taxonomy/mapping";
import { adjust } from "./adjust";
import type { Confusion } from "./score";

// Pure: the category answer's rows adjusted with a calibration, period by period. Shares are
// among the named categories, like the unadjusted ones (`others` is solved for, then left out).

export interface ObservedRow {
  period: string;
  category: string;
  events: number;
  value: number;
}

export interface AdjustedRow {
  period: string;
  category: string;
  share: number;
  shareLow: number;
  shareHigh: number;
}

export function adjustRows(
  rows: readonly ObservedRow[],
  confusion: Confusion,
  opts: { draws?: number; seed?: number } = {},
): { rows: AdjustedRow[]; unsupported: string[] } {
  const present = new Set<string>([OTHERS, ...rows.map((r) => r.category), ...Object.keys(confusion)]);
  for (const row of Object.values(confusion)) for (const c of Object.keys(row)) present.add(c);
  const classes = [
    ...CATEGORIES.filter((c) => present.has(c)),
    ...[...present].filter((c) => !CATEGORIES.includes(c as never)),
  ];
  const counts = classes.map((t) => classes.map((p) => confusion[t]?.[p] ?? 0));
  const among = classes.map((c) => c !== OTHERS);
  const out: AdjustedRow[] = [];
  let unsupported: string[] = [];
  const periods = [...new Set(rows.map((r) => r.period))].sort();
  for (const period of periods) {
    const mine = rows.filter((r) => r.period === period);
    const total = mine.reduce((s, r) => s + r.value, 0);
    const n = mine.reduce((s, r) => s + r.events, 0);
    if (total <= 0 || n <= 0) continue;
    const observed = classes.map(
      (c) => mine.filter((r) => r.category === c).reduce((s, r) => s + r.value, 0) / total,
    );
    const a = adjust({ counts, observed, n, among }, opts);
    unsupported = a.unsupported.map((i) => classes[i] ?? "");
    classes.forEach((category, i) => {
      const share = a.share[i];
      if (share === null || share === undefined) return;
      out.push({ period, category, share, shareLow: a.low[i] ?? share, shareHigh: a.high[i] ?? share });
    });
  }
  return { rows: out, unsupported };
}
