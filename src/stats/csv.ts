import { stringify } from "csv-stringify/sync";

/**
 * RFC 4180 CSV of flat rows (header from the first row's keys, CRLF) by csv-stringify, with
 * OWASP's rule for spreadsheet formulas: a cell that begins with =, +, -, @, tab or CR (or their
 * full-width forms) is prefixed with a single quote, and every text cell is quoted. Model and
 * author names come from routers, so a cell like `=HYPERLINK(...)` must never run.
 */
export function toCsv(rows: readonly Record<string, unknown>[], columns?: readonly string[]): string {
  const cols = columns ?? Object.keys(rows[0] ?? {});
  return stringify(rows as Record<string, unknown>[], {
    header: true,
    columns: [...cols],
    record_delimiter: "windows",
    quoted_string: true,
    escape_formulas: true,
    cast: { boolean: (v) => String(v) },
  });
}
