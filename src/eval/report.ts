import { formatTable } from "../platform/table";
import type { EvalReport } from "./score";

// The text form of an eval: agreement, per-category precision and recall, the confusion matrix
// (rows expected, columns predicted), coverage.

const pct = (x: number | null) => (x === null ? "-" : `${(x * 100).toFixed(1)}%`);

export function renderReport(r: EvalReport, header: string): string {
  const cats = Object.keys(r.perCategory);
  const per = formatTable(
    ["category", "precision", "recall", "support"],
    cats.map((c) => {
      const p = r.perCategory[c];
      return [c, pct(p?.precision ?? null), pct(p?.recall ?? null), p?.support ?? 0];
    }),
  );
  const matrix = formatTable(
    ["expected \\ predicted", ...cats],
    cats.filter((c) => r.confusion[c]).map((c) => [c, ...cats.map((p) => r.confusion[c]?.[p] ?? 0)]),
  );
  const cov = r.coverage;
  const share = (x: number) => `${x} (${pct(r.n > 0 ? x / r.n : null)})`;
  return [
    header,
    `texts: ${r.n}; classified (scored): ${r.scored}; agreement: ${pct(r.agreement)}`,
    `the other decision rule would change ${r.otherRule.changed} texts' category, for an agreement of ${pct(r.otherRule.agreement)}`,
    "",
    per,
    "",
    "confusion matrix (rows: expected, columns: predicted; classified texts only):",
    matrix,
    "",
    "coverage (of all texts):",
    `  classified ${share(cov.classified)}, of which no label >= threshold (counted as others) ${share(cov.noLabel)}`,
    `  refused language ${share(cov.refusedLanguage)}, too short ${share(cov.tooShort)}, invalid ${share(cov.invalid)}, no text ${share(cov.noText)}`,
  ].join("\n");
}
