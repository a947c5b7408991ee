// The contract from the door to the table: what the schema accepts, Postgres stores. Each limit
// says which column it protects, so widening a column and raising a limit stay one decision.

/** prompt_tokens / completion_tokens are bigint; no request comes near a billion tokens (the
 * largest context windows are ~10M), and the cap keeps rollup sums far from bigint's ceiling. */
export const MAX_TOKENS = 1_000_000_000;

/** cost_usd is numeric(20, 10): below 1e10. A million dollars for one request is already absurd. */
export const MAX_COST_USD = 1_000_000;

/** sample_rate weighs each event by 1 / rate in the rollups: a rate of 5e-324 made that Infinity
 * and the insert failed. One in a billion is far below any router's sampling. */
export const MIN_SAMPLE_RATE = 1e-9;

/** The default of MIN_SAMPLE_RATE, the operator's floor for an item's own `sampleRate`: an item
 * at 1e-9 would count as a billion requests. One in a million is below any router's sampling. */
export const DEFAULT_SAMPLE_RATE_FLOOR = 1e-6;

/** Pure: the items whose own sampleRate is under the operator's floor, as field errors. */
export function sampleRateIssues(
  items: readonly { sampleRate?: number | undefined }[],
  floor: number,
  pathOf: (index: number) => string,
): { path: string; message: string }[] {
  return items.flatMap((item, i) =>
    item.sampleRate !== undefined && item.sampleRate < floor
      ? [
          {
            path: pathOf(i),
            message: `must be at least ${floor} (MIN_SAMPLE_RATE): one item would count as more than ${Math.round(1 / floor).toLocaleString("en")} requests`,
          },
        ]
      : [],
  );
}

/** model is text, which refuses NUL; control characters and lone surrogates are refused too. */
export const MAX_MODEL_CHARS = 256;
export const PRINTABLE = /^[^\p{Cc}\p{Cs}]+$/u;

/** createdAt: the documented window. Earlier is a clock or a parse error (there were no LLM
 * routers before 2000, and Postgres has no year 0); later than a day ahead is a wrong clock. */
export const EARLIEST = Date.UTC(2000, 0, 1);
export const AHEAD_MS = 86_400_000;

export function inTimeWindow(ms: number, now = Date.now()): boolean {
  return Number.isFinite(ms) && ms >= EARLIEST && ms <= now + AHEAD_MS;
}

// Characters that show nothing: whitespace, controls, format characters (zero-width space and
// joiners, BOM, word joiner, bidi marks), lone surrogates, and the fillers that render blank.
const INVISIBLE = /[\s\p{Cc}\p{Cf}\p{Cs}\p{Z}\u115F\u1160\u2800\u3164\uFFA0]/gu;

/** False when nothing visible is left: such a prompt is skipped, never sent to Google. */
export function hasVisibleText(text: string): boolean {
  return text.replace(INVISIBLE, "").length > 0;
}
