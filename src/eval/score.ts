import { CATEGORIES, OTHERS } from "../taxonomy/mapping";
import type { Outcome } from "../vocabulary";

// Pure: an eval's numbers from each text's expected category and what the live path made of it.
// The category shares count classified events only (coverage says what they leave out), so the
// confusion matrix, agreement, precision and recall are over classified texts, and the texts the
// shares never see are counted in `coverage`.

export interface Judged {
  expected: string;
  /** `no_text` when the text rule left nothing to classify (no call, no event). */
  outcome: Outcome | "no_text";
  /** The request's category (classified texts only). */
  predicted: string | null;
  /** Whether any label cleared the threshold (else a classified text is `others`). */
  labelled: boolean;
  /** The category under the scheme's other decision rule (classified texts only). */
  otherRule?: string | null;
}

export type Confusion = Record<string, Record<string, number>>;

export interface PerCategory {
  precision: number | null;
  recall: number | null;
  support: number;
}

export interface EvalReport {
  /** Texts read. */
  n: number;
  /** Texts classified: the ones the category shares count, and the confusion matrix holds. */
  scored: number;
  /** Share of scored texts whose category is the expected one (null when none was scored). */
  agreement: number | null;
  perCategory: Record<string, PerCategory>;
  /** confusion[expected][predicted] = texts; cells with no text are left out. */
  confusion: Confusion;
  /** The other decision rule on the same answers: texts whose category it changes, its agreement. */
  otherRule: { changed: number; agreement: number | null };
  coverage: {
    classified: number;
    /** Classified, but no label at or above CONFIDENCE_THRESHOLD: counted as `others`. */
    noLabel: number;
    refusedLanguage: number;
    tooShort: number;
    invalid: number;
    noText: number;
  };
}

const ratio = (a: number, b: number) => (b > 0 ? a / b : null);

export function scoreJudged(judged: readonly Judged[]): EvalReport {
  const confusion: Confusion = {};
  const count = (o: Judged["outcome"]) => judged.filter((j) => j.outcome === o).length;
  let correct = 0;
  let scored = 0;
  let changed = 0;
  let correctOther = 0;
  for (const j of judged) {
    if (j.outcome !== "classified") continue;
    const predicted = j.predicted ?? OTHERS;
    scored++;
    if (predicted === j.expected) correct++;
    const other = j.otherRule ?? predicted;
    if (other !== predicted) changed++;
    if (other === j.expected) correctOther++;
    const row = confusion[j.expected] ?? {};
    row[predicted] = (row[predicted] ?? 0) + 1;
    confusion[j.expected] = row;
  }
  const perCategory: Record<string, PerCategory> = {};
  const used = new Set([...Object.keys(confusion), ...Object.values(confusion).flatMap(Object.keys)]);
  for (const c of CATEGORIES.filter((c) => used.has(c))) {
    const support = Object.values(confusion[c] ?? {}).reduce((s, x) => s + x, 0);
    const predictedAs = Object.values(confusion).reduce((s, row) => s + (row[c] ?? 0), 0);
    const hit = confusion[c]?.[c] ?? 0;
    perCategory[c] = { precision: ratio(hit, predictedAs), recall: ratio(hit, support), support };
  }
  return {
    n: judged.length,
    scored,
    agreement: ratio(correct, scored),
    perCategory,
    confusion,
    otherRule: { changed, agreement: ratio(correctOther, scored) },
    coverage: {
      classified: scored,
      noLabel: judged.filter((j) => j.outcome === "classified" && !j.labelled).length,
      refusedLanguage: count("unsupported_language"),
      tooShort: count("too_short"),
      invalid: count("invalid"),
      noText: count("no_text"),
    },
  };
}
