import { isValidPhoneNumber } from "libphonenumber-js/min";
import { type Detector, isTaken, type Range } from "./span";

// Phone numbers: a candidate is found by a bounded pattern, then it is a phone number when
// libphonenumber-js (Google's libphonenumber metadata) says it is valid for its country. National
// formats are read as US numbers; any country's number is found when written internationally,
// with + or with the 00 (or 011) that is dialled instead of it: +44 20 7946 0958, 0049 30 901820.

// +, 00 or 011, a country code, then 7 to 17 more digits, each group after one separator (a
// space, a no-break space as pasted from web pages, a dot or a dash); a group in parentheses is
// the area code or the trunk prefix: +1 (415) 555-2671, +49 (0)30 901820.
const INTERNATIONAL =
  /(?<![\w+])(?:\+|00|011[ \u00a0.-]?)[1-9](?:[ \u00a0.-]?(?:\(\d{1,4}\)|\d)){6,16}(?![\w]|[.,:-]\d)/g;
// The North American plan's shape: area code and exchange begin with 2-9, then four digits:
// (415) 555-2671, 415.555.2671, 1-800-555-0199. Not in a decimal (3.4155552671).
const NATIONAL =
  /(?<![\w+]|\d[.,])(?:1[ \u00a0.-]?)?(?:\([2-9]\d{2}\)|[2-9]\d{2})[ \u00a0.-]?[2-9]\d{2}[ \u00a0.-]?\d{4}(?![\w]|[.,:-]\d)/g;
// Ten digits unbroken are as often an id or a constant (INT_MAX is 2147483647) as a phone number:
// one counts after a word that announces a number (call 4155552671, phone: 4155552671).
const ANNOUNCED =
  /\b(?:call|phone|tel|telephone|mobile|cell|fax|text|sms|whatsapp|number|contact|reach|dial)\b\W{0,8}$/i;

/**
 * At most this many libphonenumber checks a text (~10 µs each). Past it, a candidate of the
 * right shape is taken as a phone number unchecked: a text with more than this many distinct
 * phone-shaped numbers is over-redacted, never leaked, and never slow.
 */
export const PHONE_CHECKS = 32;

export const phones: Detector = function* (text, taken) {
  let checks = PHONE_CHECKS;
  const known = new Map<string, boolean>();
  const valid = (candidate: string): boolean => {
    let ok = known.get(candidate);
    if (ok === undefined) {
      ok = checks-- <= 0 || isValidPhoneNumber(candidate.replace(/\u00a0/g, " "), "US");
      known.set(candidate, ok);
    }
    return ok;
  };
  for (const m of text.matchAll(INTERNATIONAL)) {
    if (isTaken(taken, m.index, m.index + m[0].length)) continue;
    const found = international(m[0], valid);
    if (found !== undefined) yield { start: m.index, end: m.index + found };
  }
  for (const m of text.matchAll(NATIONAL)) {
    const span: Range = { start: m.index, end: m.index + m[0].length };
    if (isTaken(taken, span.start, span.end)) continue;
    if (/^\d+$/.test(m[0]) && !ANNOUNCED.test(text.slice(Math.max(0, m.index - 24), m.index))) continue;
    if (valid(m[0])) yield span;
  }
};

/**
 * The length of the phone number `candidate` begins with: the whole of it, or the whole less
 * one or two trailing groups (a number followed by other digits).
 */
function international(candidate: string, valid: (c: string) => boolean): number | undefined {
  let piece = candidate;
  for (let tries = 0; tries < 3; tries++) {
    if (valid(piece.replace(/^(?:00|011[ \u00a0.-]?)/, "+"))) return piece.length;
    const cut = Math.max(...[" ", "\u00a0", ".", "-"].map((sep) => piece.lastIndexOf(sep)));
    if (cut <= 0) return undefined;
    piece = piece.slice(0, cut);
    if (piece.replace(/\D/g, "").length < 8) return undefined;
  }
  return undefined;
}
