import type { Label } from "../queue/jobs";
import { type Mapped, mapPath, OTHERS, type Taxonomy } from "../taxonomy/mapping";

export interface TaggedLabel extends Mapped {
  path: string;
  confidence: number;
}

/**
 * Labels at or above the threshold, one per path (the highest confidence if Google repeats one),
 * highest confidence first, each mapped to its tag and category.
 */
export function tagLabels(taxonomy: Taxonomy, labels: readonly Label[], threshold: number): TaggedLabel[] {
  const best = new Map<string, number>();
  for (const { name, confidence } of labels) {
    if (confidence < threshold) continue;
    if (confidence > (best.get(name) ?? -1)) best.set(name, confidence);
  }
  return [...best]
    .map(([path, confidence]) => ({ path, confidence, ...mapPath(taxonomy, path) }))
    .sort((a, b) => b.confidence - a.confidence || a.path.localeCompare(b.path));
}

/** The request's single category: that of its highest-confidence kept label, `others` when none. */
export function requestCategory(tagged: readonly TaggedLabel[]): string {
  return tagged[0]?.category ?? OTHERS;
}
