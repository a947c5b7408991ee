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

/** The items in a released unit, each with its unit's author and model (null where pooled). */
export function released<T extends FloorItem>(items: readonly T[], k: number): Released<T>[] {
  const model = (e: T) => e.model ?? "openai/gpt-5";
  const day = (e: T) => `${e.day}|${e.outcome ?? "classified"}|${e.category}`;
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
