import { FIRST_DAY } from "../vocabulary";

// The limits themselves are shared (src/vocabulary.ts); these are ingest's checks of them.

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

/** createdAt: from the first day the census knows; later than a day ahead is a wrong clock. */
export const EARLIEST = Date.parse(`${FIRST_DAY}T00:00:00Z`);
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
