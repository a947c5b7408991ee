import type { ModelOrigin, ModelSize, ModelSource } from "./attributes";
import type { CatalogueEntry } from "./catalogue";

// Which catalogue entry speaks for a model id. The same rule is analytics.model_attributes() in
// SQL (migrations/0020): keep the two together.

export interface ModelAttributes {
  model: string;
  /** The entry that matched, or null: the catalogue does not know the model. */
  matched: string | null;
  source: ModelSource | "unknown";
  origin: ModelOrigin | "unknown";
  size: ModelSize | null;
  params: number | null;
  reasoning: boolean | null;
}

/** Pure: `Author/Model:free` -> `author/model:free` and `author/model` (the router's variant off). */
export function candidatesOf(model: string): string[] {
  const full = model.trim().toLowerCase();
  const base = full.split(":")[0] ?? full;
  return base === full ? [full] : [full, base];
}

/**
 * Pure: an exact id wins (with its `:variant`, then without), else the longest prefix that the id
 * without its variant starts with. No match: `unknown`, never a guess from the author's name.
 */
export function lookupModel(entries: readonly CatalogueEntry[], model: string): ModelAttributes {
  const ids = candidatesOf(model);
  let best: CatalogueEntry | undefined;
  for (const id of ids) {
    best = entries.find((e) => !e.match.endsWith("*") && e.match === id);
    if (best) break;
  }
  const base = ids[ids.length - 1] ?? "";
  if (!best) {
    for (const e of entries) {
      if (!e.match.endsWith("*") || !base.startsWith(e.match.slice(0, -1))) continue;
      if (!best || e.match.length > best.match.length) best = e;
    }
  }
  if (!best)
    return {
      model,
      matched: null,
      source: "unknown",
      origin: "unknown",
      size: null,
      params: null,
      reasoning: null,
    };
  return {
    model,
    matched: best.match,
    source: best.source,
    origin: best.origin,
    size: best.size ?? null,
    params: best.params ?? null,
    reasoning: best.reasoning,
  };
}
