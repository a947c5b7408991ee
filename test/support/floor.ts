// The privacy floor's release rule (migrations/0014, docs/analytics.md "Privacy floor"), written
// again in plain TypeScript so tests can work out expected answers without the SQL under test.

export interface FloorItem {
  day: string;
  category: string;
  model?: string;
  outcome?: string;
  n: number;
}

export type Released<T> = T & { unitAuthor: string | null; unitModel: string | null };

export const authorOf = (model: string) => {
  const at = model.indexOf("/");
  return at > 0 ? model.slice(0, at).toLowerCase() : "unknown";
};

function sums<T>(items: T[], key: (t: T) => string, n: (t: T) => number) {
  const out = new Map<string, number>();
  for (const t of items) out.set(key(t), (out.get(key(t)) ?? 0) + n(t));
  return out;
}

export type Grain = "day" | "week" | "month";

/** The first day (YYYY-MM-DD) of the grain `day` falls in: weeks from Monday, months from the 1st. */
export function grainStart(day: string, grain: Grain): string {
  if (grain === "month") return `${day.slice(0, 7)}-01`;
  if (grain === "day") return day;
  const d = new Date(`${day}T00:00:00Z`);
  return new Date(d.getTime() - ((d.getUTCDay() + 6) % 7) * 86_400_000).toISOString().slice(0, 10);
}

/** A model's group (analytics.model_group): by default every model's in a database with no
 * catalogue stored; catalogueGroup (./catalogue-group.ts) is the shipped catalogue's. */
export type GroupOf = (model: string) => string;
const noCatalogue: GroupOf = () => "unknown";

/** The items in a released unit, each with its unit's author and model (null where pooled). Units
 * are of one grain (FLOOR_GRAIN), outcome, category and model group. */
export function released<T extends FloorItem>(
  items: readonly T[],
  k: number,
  grain: Grain = "day",
  groupOf: GroupOf = noCatalogue,
): Released<T>[] {
  const model = (e: T) => e.model ?? "openai/gpt-5";
  const day = (e: T) =>
    `${grainStart(e.day, grain)}|${e.outcome ?? "classified"}|${e.category}|${groupOf(model(e))}`;
  const cell = (e: T) => `${day(e)}|${model(e)}`;
  const author = (e: T) => `${day(e)}|${authorOf(model(e))}`;
  const cells = sums([...items], cell, (e) => e.n);
  const small = items.filter((e) => (cells.get(cell(e)) ?? 0) < k);
  const authors = sums(small, author, (e) => e.n);
  const left = small.filter((e) => (authors.get(author(e)) ?? 0) < k);
  const days = sums(left, day, (e) => e.n);
  return items.flatMap((e): Released<T>[] => {
    if ((cells.get(cell(e)) ?? 0) >= k)
      return [{ ...e, unitAuthor: authorOf(model(e)), unitModel: model(e) }];
    if ((authors.get(author(e)) ?? 0) >= k)
      return [{ ...e, unitAuthor: authorOf(model(e)), unitModel: null }];
    if ((days.get(day(e)) ?? 0) >= k) return [{ ...e, unitAuthor: null, unitModel: null }];
    return [];
  });
}

/**
 * `items` changed only where the floor of `grain` hides: in each partition (grain, outcome,
 * category, model group) the events in no released unit, which hold fewer than k together, become
 * one cell of another count, model (of the same group) and size; and a new hidden cell appears. Every released unit is the same.
 */
export function hiddenTwin<T extends FloorItem & { promptTokens?: number }>(
  items: readonly T[],
  k: number,
  grain: Grain,
  extra: T,
  groupOf: GroupOf = noCatalogue,
): T[] {
  const indexed = items.map((e, i) => ({ ...e, index: i }));
  const shownAt = new Set(released(indexed, k, grain, groupOf).map((e) => e.index));
  const shown = new Set(items.filter((_, i) => shownAt.has(i)));
  const byPartition = new Map<string, T[]>();
  for (const e of items) {
    if (shown.has(e)) continue;
    const group = groupOf(e.model ?? "openai/gpt-5");
    const key = `${grainStart(e.day, grain)}|${e.outcome ?? "classified"}|${e.category}|${group}`;
    byPartition.set(key, [...(byPartition.get(key) ?? []), e]);
  }
  const twin = items.filter((e) => shown.has(e));
  for (const hidden of byPartition.values()) {
    const first = hidden[0] as T;
    const n = hidden.reduce((s, e) => s + e.n, 0);
    // a model of the same group, of an author with no pool released there (a new one, or the
    // first hidden model's): all of the partition's hidden events together are under k, so one
    // cell of them stays hidden
    const group = groupOf(first.model ?? "openai/gpt-5");
    const names = ["zz-hidden/m", `${authorOf(first.model ?? "openai/gpt-5")}/zz-hidden`];
    const model = names.find((m) => groupOf(m) === group) ?? first.model;
    twin.push({ ...first, model, n: n === 1 ? 2 : n - 1, promptTokens: 4321 });
  }
  return [...twin, extra];
}
