import { type Detector, matches } from "./span";

// Payment cards (Luhn-checked) and IBANs (length per country, then mod-97-checked).

/** Luhn's checksum, as every payment card number carries. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

// A card number as printed, in fours (4-4-4-4, 4-4-4-4-3) or as Amex and Diners group theirs
// (4-6-5, 4-6-4), one separator throughout: spaces (one or two, no-break ones too), a dash or a dot. It may sit
// among other numbers (an expiry date, a CVV after it); not in an IBAN that failed its check.
const SEP = String.raw`(?:[ \t\u00a0]{1,2}|[ \t\u00a0]?[.-][ \t\u00a0]?)`;
const PRINTED = new RegExp(
  String.raw`\b(?<![.,+-]|[A-Za-z]{2}\d{2}[ -])(?:[2-6]\d{3}(${SEP})\d{4}\1\d{4}\1\d{4}(?:\1\d{3})?|3\d{3}(${SEP})\d{6}\2\d{4,5})(?![\w]|[.,]\d)`,
  "g",
);
// 13 to 19 digits otherwise: unbroken, or in groups of three to twelve (a last group may be
// shorter) by any of those separators. Not a part of a longer run of digit groups (an account
// number, a list of numbers), nor of a decimal number.
const LOOSE = new RegExp(
  String.raw`\b(?<![.,+-]|\d[ \t.-]{1,2})(?:[2-6]\d{12,18}|[2-6]\d{1,7}(?:${SEP}\d{3,12}){1,5}(?:${SEP}\d{1,2})?)(?![\w]|${SEP}\d|[.,]\d)`,
  "g",
);
const isCard = (digits: string) => digits.length >= 13 && digits.length <= 19 && luhnValid(digits);
const cards: Detector = function* (text, taken) {
  for (const m of text.matchAll(PRINTED)) {
    const digits = m[0].replace(/\D/g, "");
    if (isCard(digits)) yield { start: m.index, end: m.index + m[0].length };
    // 4-4-4-4 then three more digits: a 19-digit card, or a 16-digit one and its CVV
    else if (digits.length === 19 && isCard(digits.slice(0, 16))) {
      yield { start: m.index, end: m.index + m[0].length - 3 - (m[1]?.length ?? 1) };
    }
  }
  yield* matches(text, LOOSE, 0, (m) => taken[m.index] !== 1 && isCard(m[0].replace(/\D/g, "")));
};

/** ISO 13616's check: the rearranged IBAN, letters as numbers, is 1 modulo 97. */
export function ibanValid(iban: string): boolean {
  const s = iban.replace(/[\s-]/g, "").toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(s)) return false;
  let rest = 0;
  for (const c of s.slice(4) + s.slice(0, 4)) {
    const n = c >= "A" ? (c.charCodeAt(0) - 55).toString() : c;
    for (const d of n) rest = (rest * 10 + Number(d)) % 97;
  }
  return rest === 1;
}

// Each country's IBAN length, from SWIFT's IBAN registry.
const IBAN_LENGTH = new Map(
  (
    "AD24 AE23 AL28 AT20 AZ28 BA20 BE16 BG22 BH22 BI27 BR29 BY28 CH21 CR22 CY28 CZ24 DE22 DJ27 " +
    "DK18 DO28 EE20 EG29 ES24 FI18 FK18 FO18 FR27 GB22 GE22 GI23 GL18 GR27 GT28 HN28 HR21 HU28 " +
    "IE22 IL23 IQ23 IS26 IT27 JO30 KW30 KZ20 LB28 LC32 LI21 LT20 LU20 LV21 LY25 MC27 MD24 ME22 " +
    "MK19 MN20 MR27 MT31 MU30 NI28 NL18 NO15 OM23 PK24 PL28 PS29 PT25 QA29 RO24 RS22 RU33 SA24 " +
    "SC31 SD18 SE24 SI19 SK24 SM27 SO23 ST25 SV28 TL23 TN24 TR26 UA29 VA22 VG24 XK20 YE30"
  )
    .split(" ")
    .map((e) => [e.slice(0, 2), Number(e.slice(2))]),
);
// A country code, check digits, then groups of four (by a space or a dash, or none), either case:
// DE89 3704 0044 0532 0130 00, de89370400440532013000, DE89-3704-0044-0532-0130-00. The candidate
// may run on into the next word; the country's length says where the IBAN ends.
const IBAN =
  /\b(?<!-)[A-Za-z]{2}\d{2}(?:[ \u00a0-]?[A-Za-z0-9]{4}){2,8}(?:[ \u00a0-]?[A-Za-z0-9]{1,3})?(?!\w)/g;
const ibans: Detector = function* (text) {
  for (const m of text.matchAll(IBAN)) {
    const length = IBAN_LENGTH.get(m[0].slice(0, 2).toUpperCase());
    if (length === undefined) continue;
    let n = 0;
    let end = 0;
    while (end < m[0].length && n < length) if (/[A-Za-z0-9]/.test(m[0][end++] ?? "")) n++;
    // the IBAN must end where a group ends, not inside a word
    if (n < length || /[A-Za-z0-9]/.test(m[0][end] ?? "")) continue;
    if (ibanValid(m[0].slice(0, end))) yield { start: m.index, end: m.index + end };
  }
};

export const payment = { cards, ibans };
