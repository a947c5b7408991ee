import { emails } from "./email";
import { ips } from "./ip";
import { payment } from "./payment";
import { phones } from "./phone";
import { secrets } from "./secrets";
import { type Detector, isTaken } from "./span";

export { ibanValid, luhnValid } from "./payment";
export { shannonEntropy } from "./secrets";

// Redaction before Google: personal data and secrets in a prompt are replaced by typed
// placeholders before the text is cut to MAX_CHARS, so neither Redis nor Google ever sees them.
// Pure. The study did not redact (README "Redaction"); REDACT=off restores its method exactly.
//
// Each detector finds spans in the text; overlapping spans keep the first detector's (secrets
// before e-mail, so a URL's credentials are one [KEY]), and the spans are replaced in one pass.

export const redactionKinds = ["key", "email", "iban", "card", "ip", "phone"] as const;
export type RedactionKind = (typeof redactionKinds)[number];

export const PLACEHOLDER: Record<RedactionKind, string> = {
  key: "[KEY]",
  email: "[EMAIL]",
  card: "[CARD]",
  iban: "[IBAN]",
  ip: "[IP]",
  phone: "[PHONE]",
};

interface Span {
  start: number;
  end: number;
  kind: RedactionKind;
}

const DETECTORS: [RedactionKind, Detector][] = [
  ["key", secrets],
  ["email", emails],
  ["iban", payment.ibans],
  ["card", payment.cards],
  ["ip", ips],
  ["phone", phones],
];

/**
 * Every detector's spans, the first detector's kept where two overlap, in text order. A code unit
 * map of what is claimed makes the overlap check cost the span's length, so the whole is linear
 * in the text (a list of spans checked against each other was quadratic in their number).
 */
function findSpans(text: string): Span[] {
  const taken = new Uint8Array(text.length);
  const spans: Span[] = [];
  for (const [kind, detect] of DETECTORS) {
    for (const { start, end } of detect(text, taken)) {
      if (end <= start || isTaken(taken, start, end)) continue;
      taken.fill(1, start, end);
      spans.push({ start, end, kind });
    }
  }
  return spans.sort((a, b) => a.start - b.start);
}

export interface Redacted {
  text: string;
  /** How many of each kind were replaced; empty when nothing was. */
  found: Partial<Record<RedactionKind, number>>;
}

/** `text` up to `end`, each span that starts before `end` replaced whole by its placeholder. */
function replace(text: string, spans: readonly Span[], end = text.length): Redacted {
  const found: Partial<Record<RedactionKind, number>> = {};
  let out = "";
  let at = 0;
  for (const s of spans) {
    if (s.start >= end) break;
    out += text.slice(at, s.start) + PLACEHOLDER[s.kind];
    at = s.end;
    found[s.kind] = (found[s.kind] ?? 0) + 1;
  }
  return { text: out + text.slice(at, Math.max(at, end)), found };
}

/** Replaces every personal datum and secret found in `text` with its placeholder. */
export function redact(text: string): Redacted {
  return replace(text, findSpans(text));
}

/**
 * Code units scanned past what a window may emit: more than the longest datum that can hold a
 * space (an IBAN, a card or a phone number with separators, ~45) and the context its pattern
 * reads after it.
 */
export const EDGE_MARGIN = 256;
/** How far the one retry reads, in multiples of maxChars, when placeholders shrank the head. */
export const WIDEN = 8;

/**
 * Redacts the beginning of `text`, enough for its first `maxChars` code points to be final, at a
 * bounded cost whatever the text: prompts can be megabytes, and only what will be kept needs the
 * detectors.
 *
 * The window rule. A window is the text's first `2 * maxChars + EDGE_MARGIN` code units (enough
 * for maxChars code points, two units each at most); when its placeholders leave fewer than
 * maxChars code points, one retry reads `WIDEN * maxChars + EDGE_MARGIN`, and that is the most
 * ever read. Nothing past the window is emitted, and of the window only what is safely before
 * its edge: not the last EDGE_MARGIN code units (a datum cut there may have escaped its
 * pattern), nor any of a run of non-space characters that reaches the edge (a token may go on
 * beyond it, and a key's head is still a key), nor half of a surrogate pair. A span that
 * straddles that point is replaced whole (a private key cut by the edge is one [KEY], and
 * nothing after it is emitted). So the result depends only on the window, it can be shorter
 * than maxChars on a pathological text (a 100 KB token gives nothing), and it never holds a piece
 * of text that was not scanned. A text shorter than the window is redacted whole.
 */
export function redactHead(text: string, maxChars: number): Redacted {
  const first = 2 * maxChars + EDGE_MARGIN;
  if (text.length <= first) return redact(text);
  const head = redactWindow(text.slice(0, first));
  if (countCodePoints(head.text) >= maxChars) return head;
  const last = WIDEN * maxChars + EDGE_MARGIN;
  return text.length <= last ? redact(text) : redactWindow(text.slice(0, last));
}

function redactWindow(window: string): Redacted {
  const spans = findSpans(window);
  let end = window.length - EDGE_MARGIN;
  let run = window.length;
  while (run > 0 && !isSpace(window.charCodeAt(run - 1))) run--;
  end = Math.min(end, run);
  const code = window.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  for (const s of spans) if (s.start < end && s.end > end) end = s.end;
  return replace(window, spans, end);
}

// What separates tokens: the patterns' \s, which is all of Unicode's space separators.
const isSpace = (code: number) =>
  code === 32 ||
  (code >= 9 && code <= 13) ||
  code === 0xa0 ||
  code === 0x1680 ||
  (code >= 0x2000 && code <= 0x200a) ||
  code === 0x2028 ||
  code === 0x2029 ||
  code === 0x202f ||
  code === 0x205f ||
  code === 0x3000 ||
  code === 0xfeff;

function countCodePoints(text: string): number {
  let chars = text.length;
  for (let i = 0; i < text.length - 1; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        chars--;
        i++;
      }
    }
  }
  return chars;
}
