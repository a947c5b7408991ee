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

export interface Span {
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
function findSpans(text: string, cut = false): Span[] {
  const taken = new Uint8Array(text.length);
  const spans: Span[] = [];
  for (const [kind, detect] of DETECTORS) {
    for (const { start, end } of detect(text, taken, cut)) {
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

/** What `redact` replaces in `text`, as spans (for tests and measurements). */
export function detect(text: string): Span[] {
  return findSpans(text);
}

/**
 * Code units scanned past what a window may emit: more than the longest match of any pattern of
 * bounded length (an e-mail address, ~700; a URL's credentials, ~550) and the context it reads
 * after it, so whatever starts before the margin is seen whole.
 */
export const EDGE_MARGIN = 1024;
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
 * ever read. Nothing past the window is emitted, nor its last EDGE_MARGIN code units, nor half of
 * a surrogate pair. Whatever a pattern of bounded length matches from before the margin ends
 * inside the window, so it is judged as in the whole text; a match of unbounded length that
 * reaches the window's end (a token, a JWT, a value assigned to `password`) is judged on what
 * the window shows, and where that could be the head of a secret, it is one (detectors are told
 * that the window is cut). A span across the margin is replaced whole and nothing after it is
 * emitted: a private key cut by the edge is one [KEY]. So the result depends only on the window,
 * it can be shorter than maxChars on a pathological text (a window of placeholders), and it
 * never holds a piece of text that was not scanned. A text no longer than the window is
 * redacted whole.
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
  const spans = findSpans(window, true);
  let end = window.length - EDGE_MARGIN;
  const code = window.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  for (const s of spans) if (s.start < end && s.end > end) end = s.end;
  return replace(window, spans, end);
}

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
