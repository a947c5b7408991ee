import { extname } from "node:path";
import { parse } from "csv-parse/sync";
import { z } from "zod";
import { CATEGORIES } from "../taxonomy/mapping";

// `census eval FILE`: labelled texts, one JSON object a line ({ "text", "expected", "id"? }) or a
// CSV with the same columns. `expected` is a category id, the same in both schemes.

export const labelledSchema = z.object({
  text: z.string(),
  expected: z.enum(CATEGORIES),
  id: z.union([z.string(), z.number()]).optional(),
});
export type Labelled = z.infer<typeof labelledSchema>;

/** Which format: by extension (.csv, .jsonl/.ndjson/.json), else by the first character. */
export function formatOf(path: string, content: string): "csv" | "jsonl" {
  const ext = extname(path).toLowerCase();
  if (ext === ".csv") return "csv";
  if ([".jsonl", ".ndjson", ".json"].includes(ext)) return "jsonl";
  return content.trimStart().startsWith("{") ? "jsonl" : "csv";
}

/**
 * Parses and checks every record; throws one error naming each bad line (at most ten), so a file
 * is fixed in one pass. A record's text is never echoed.
 */
export function parseLabelled(path: string, content: string): Labelled[] {
  const format = formatOf(path, content);
  const records: { line: number; value: unknown }[] =
    format === "csv"
      ? (parse(content, { columns: true, skip_empty_lines: true, bom: true }) as unknown[]).map(
          (value, i) => ({
            line: i + 2,
            value,
          }),
        )
      : content.split(/\r?\n/).flatMap((raw, i) => {
          if (raw.trim() === "") return [];
          try {
            return [{ line: i + 1, value: JSON.parse(raw) as unknown }];
          } catch {
            return [{ line: i + 1, value: Symbol("not JSON") }];
          }
        });
  const problems: string[] = [];
  const out: Labelled[] = [];
  for (const { line, value } of records) {
    const r = labelledSchema.safeParse(value);
    if (r.success) out.push(r.data);
    else if (typeof value === "symbol") problems.push(`line ${line}: not JSON`);
    else
      problems.push(
        `line ${line}: ${r.error.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; ")}`,
      );
  }
  if (problems.length > 0) {
    const more = problems.length > 10 ? `\n(and ${problems.length - 10} more)` : "";
    throw new Error(`${path}: ${problems.length} bad records\n${problems.slice(0, 10).join("\n")}${more}`);
  }
  if (out.length === 0) throw new Error(`${path}: no labelled texts`);
  return out;
}
