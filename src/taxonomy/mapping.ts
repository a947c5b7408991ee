import { z } from "zod";

/** The study's categories (section 5 plus the section 2.2 table); `others` is the long tail. */
export const CATEGORIES = [
  "programming",
  "roleplay",
  "translation",
  "general-qa",
  "productivity-writing",
  "education",
  "creative-writing",
  "adult",
  "technology",
  "science",
  "health",
  "finance",
  "legal",
  "academia",
  "marketing",
  "marketing/seo",
  "trivia",
  "others",
] as const;

export type Category = (typeof CATEGORIES)[number];

/** The shipped schemes (config/mapping/<scheme>.json); MAPPING picks the live one. */
export const MAPPING_SCHEMES = ["study-2025", "extended"] as const;
export type MappingScheme = (typeof MAPPING_SCHEMES)[number];

export const mappingRuleSchema = z.object({
  prefix: z.string().startsWith("/"),
  category: z.enum(CATEGORIES),
  tag: z.string().regex(/^[a-z][a-z0-9-]*$/),
  /** What in the study the rule rests on (section, figure or sentence). */
  cite: z.string().optional(),
  /** Or: the project's own decision, and why. */
  choice: z.string().optional(),
});

export const mappingFileSchema = z.object({
  $comment: z.string().optional(),
  scheme: z.enum(MAPPING_SCHEMES),
  /** Starts with the scheme (`study-2025/...`), so an event's mapping_version names both. */
  version: z.string().min(1),
  categoryLists: z.array(z.string().min(1)).min(1),
  rules: z.array(mappingRuleSchema).min(1),
});

export type MappingRule = z.infer<typeof mappingRuleSchema>;
export type MappingFile = z.infer<typeof mappingFileSchema>;

export const OTHERS = "others";
export const UNKNOWN_TAG = "unknown-path";

export interface Taxonomy {
  scheme: MappingScheme;
  version: string;
  /** Hash of the mapping file and its category lists: one version must always mean one content. */
  sha256: string;
  rules: readonly MappingRule[];
  /** Listed paths of every configured list (V2, V1) plus all their ancestors. */
  knownPaths: ReadonlySet<string>;
}

export interface Mapped {
  category: string;
  tag: string;
  /** false when Google returned a path missing from the configured list. */
  known: boolean;
}

export function ruleMatches(prefix: string, path: string): boolean {
  return prefix === "/" || path === prefix || path.startsWith(`${prefix}/`);
}

/** First matching rule wins. Unknown paths go to `others` so a Google list change never drops data. */
export function mapPath(taxonomy: Taxonomy, path: string): Mapped {
  if (!taxonomy.knownPaths.has(path)) return { category: OTHERS, tag: UNKNOWN_TAG, known: false };
  for (const rule of taxonomy.rules) {
    if (ruleMatches(rule.prefix, path)) return { category: rule.category, tag: rule.tag, known: true };
  }
  return { category: OTHERS, tag: UNKNOWN_TAG, known: true };
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
