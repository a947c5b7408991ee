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

/**
 * How a request's single category is chosen from its kept labels (highest confidence first):
 * - `most-confident`: the first label's, even when it maps to `others`. study-2025 keeps this: "a
 *   request's category comes from its dominant label", and "categories with no dominant mapping
 *   fall into Others" (the study, section 2.2 and section 5; ../shared/reference/study-method.md).
 * - `prefer-named`: the most confident label that maps to a named category; `others` only when
 *   none does. extended's choice: Google labels topics, and a general topic (`/People & Society`,
 *   `/Business & Industrial`) often outranks the one that names the task (docs/analytics.md,
 *   "Decision rule", shows the effect on the public eval set).
 */
export const DECISION_RULES = ["most-confident", "prefer-named"] as const;
export type DecisionRule = (typeof DECISION_RULES)[number];

export const decisionRuleOf = (taxonomy: Pick<Taxonomy, "scheme">): DecisionRule =>
  taxonomy.scheme === "extended" ? "prefer-named" : "most-confident";

/** The request's single category under a decision rule, `others` when no label is kept. */
export function requestCategory(
  tagged: readonly TaggedLabel[],
  rule: DecisionRule = "most-confident",
): string {
  const chosen =
    rule === "prefer-named" ? (tagged.find((l) => l.category !== OTHERS) ?? tagged[0]) : tagged[0];
  return chosen?.category ?? OTHERS;
}
