import type { Label } from "../queue/jobs";
import { type DecisionRule, type Mapped, mapPath, OTHERS, type Taxonomy } from "../taxonomy/mapping";

export { type DecisionRule, decisionRuleOf } from "../taxonomy/mapping";

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

/** The request's single category under a decision rule, `others` when no label is kept. */
export function requestCategory(
  tagged: readonly TaggedLabel[],
  rule: DecisionRule = "most-confident",
): string {
  const chosen =
    rule === "prefer-named" ? (tagged.find((l) => l.category !== OTHERS) ?? tagged[0]) : tagged[0];
  return chosen?.category ?? OTHERS;
}
