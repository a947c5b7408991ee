/** Rows as an aligned text table, like psql's: for `census sql`. Pure. */
export function formatRows(rows: readonly Record<string, unknown>[]): string {
  const cols = Object.keys(rows[0] ?? {});
  return formatTable(
    cols,
    rows.map((r) => cols.map((c) => r[c])),
  );
}

/**
 * Columns by position, so two columns of one name (`SELECT 1 AS a, 2 AS a`, or `count(*),
 * count(DISTINCT model)`, both named `count`) are both printed: rows keyed by name kept the last.
 */
export function formatTable(cols: readonly string[], rows: readonly (readonly unknown[])[]): string {
  if (rows.length === 0) return "(0 rows)";
  const cell = (v: unknown) =>
    v === null || v === undefined
      ? ""
      : v instanceof Date
        ? v.toISOString()
        : typeof v === "object"
          ? JSON.stringify(v)
          : String(v);
  const cells = rows.map((r) => cols.map((_, i) => cell(r[i])));
  const widths = cols.map((c, i) => Math.max(c.length, ...cells.map((r) => (r[i] ?? "").length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i] ?? 0))
      .join(" | ")
      .trimEnd();
  return [
    line([...cols]),
    widths.map((w) => "-".repeat(w)).join("-+-"),
    ...cells.map(line),
    `(${rows.length} row${rows.length === 1 ? "" : "s"})`,
  ].join("\n");
}

/** Names made unique for JSON objects, in order: `count`, `count_2`, `count_3`. Pure. */
export function uniqueNames(cols: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return cols.map((c) => {
    const n = (seen.get(c) ?? 0) + 1;
    seen.set(c, n);
    return n === 1 ? c : `${c}_${n}`;
  });
}
