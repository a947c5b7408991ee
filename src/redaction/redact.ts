import { isIPv6 } from "node:net";
import { findPhoneNumbersInText } from "libphonenumber-js/min";

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

type Detector = (text: string) => Iterable<Omit<Span, "kind">>;

function* matches(
  text: string,
  pattern: RegExp,
  group = 0,
  accept: (m: RegExpExecArray) => boolean = () => true,
) {
  for (const m of text.matchAll(pattern)) {
    const value = m[group];
    if (value === undefined || !accept(m)) continue;
    const start = (m.index ?? 0) + m[0].indexOf(value);
    yield { start, end: start + value.length };
  }
}

/** Bits per character of a string's own symbol distribution. */
export function shannonEntropy(s: string): number {
  const counts = new Map<string, number>();
  for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) bits -= (n / s.length) * Math.log2(n / s.length);
  return bits;
}

// Providers' key formats, after the rule set of the gitleaks secret scanner (config/gitleaks.toml:
// aws-access-token, github-pat, github-fine-grained-pat, gitlab-pat, slack-*-token,
// slack-webhook-url, openai-api-key, anthropic-api-key, stripe-access-token, gcp-api-key,
// npm-access-token, huggingface-access-token, sendgrid-api-token, twilio-api-key, jwt,
// private-key), written for JavaScript's regular expressions.
const PROVIDER_KEYS = new RegExp(
  [
    String.raw`\b(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}\b`,
    String.raw`\bgh[pousr]_[A-Za-z0-9]{36,255}\b`,
    String.raw`\bgithub_pat_\w{82}\b`,
    String.raw`\bglpat-[\w-]{20,}`,
    String.raw`\bxox[abposr]-(?:\d+-)?[A-Za-z0-9-]{10,}`,
    String.raw`https://hooks\.slack\.com/(?:services|workflows)/[A-Za-z0-9+/]{30,}`,
    String.raw`\bsk-(?:ant-|proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}`,
    String.raw`\b[rs]k_(?:test|live|prod)_[A-Za-z0-9]{10,99}\b`,
    String.raw`\bAIza[\w-]{35}`,
    String.raw`\bnpm_[A-Za-z0-9]{36}\b`,
    String.raw`\bhf_[A-Za-z]{34}\b`,
    String.raw`\bSG\.[\w-]{22}\.[\w-]{43}\b`,
    String.raw`\bSK[0-9a-fA-F]{32}\b`,
    String.raw`\bey[A-Za-z0-9_-]{17,}\.ey[A-Za-z0-9_/\\-]{17,}\.[A-Za-z0-9_/\\-]{10,}={0,2}`,
  ].join("|"),
  "g",
);
// A private-key block, or what is left of one when the text ends inside it.
const PRIVATE_KEY =
  /-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----|$)/g;
// A password in a URL (scheme://user:password@host): the password.
const URL_PASSWORD = /[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:([^\s/@]+)@/gi;
// `api_key = ...`, `"password": "..."`, `token: ...`: the value, when it is not code.
const ASSIGNED =
  /\b(?:api[_-]?key|apikey|secret(?:[_-]?key)?|client[_-]?secret|access[_-]?(?:key|token)|auth[_-]?token|token|passw(?:or)?d|pwd)["']?\s*[:=]\s*["']?([^\s"'`,;(){}[\]<>]{8,})/gi;
const looksLikeCode = (v: string) =>
  /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+$/.test(v) || // process.env.API_KEY, config.secret
  /^[A-Za-z_]+$/.test(v) || // an identifier: getToken, myPassword
  /^\$\{?[\w.]+\}?$/.test(v) || // ${SECRET}, $TOKEN
  /^<[^>]*>$|^x{4,}$|^\*{4,}$|^\.{3,}$/i.test(v); // placeholders
// A long token with all three character classes and high entropy: a key of an unknown kind.
const TOKEN = /(?<![\w+/=-])[A-Za-z0-9+/_=-]{32,}(?![\w+/=-])/g;
const isHighEntropyToken = (v: string) =>
  (v.match(/\d/g)?.length ?? 0) >= 2 &&
  (v.match(/[A-Z]/g)?.length ?? 0) >= 2 &&
  (v.match(/[a-z]/g)?.length ?? 0) >= 2 &&
  shannonEntropy(v) >= 4;

const secrets: Detector = function* (text) {
  yield* matches(text, PRIVATE_KEY);
  yield* matches(text, PROVIDER_KEYS);
  if (text.includes("://")) yield* matches(text, URL_PASSWORD, 1);
  yield* matches(text, ASSIGNED, 1, (m) => !looksLikeCode(m[1] ?? ""));
  yield* matches(text, TOKEN, 0, (m) => isHighEntropyToken(m[0]));
};

const EMAIL =
  /(?<![\w.%+-])[A-Za-z0-9._%+-]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}\b/g;
const emails: Detector = (text) =>
  text.includes("@") ? matches(text, EMAIL, 0, (m) => !m[0].startsWith("git@")) : [];

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
// 13 to 19 digits: unbroken, in fours (4-4-4-4 and shorter last groups) or Amex's 4-6-5, with
// one kind of separator, and not a part of a longer run of digit groups (an account number).
const CARD =
  /(?<![\w.,-])(?:[2-6]\d{12,18}|[2-6]\d{3}([ -])\d{4}\1\d{4}\1\d{1,7}|3\d{3}([ -])\d{6}\2\d{5})(?![ -]?\d|[.,]\d)/g;
const cards: Detector = (text) =>
  matches(text, CARD, 0, (m) => {
    const digits = m[0].replace(/[ -]/g, "");
    return digits.length >= 13 && digits.length <= 19 && luhnValid(digits);
  });

/** ISO 13616's check: the rearranged IBAN, letters as numbers, is 1 modulo 97. */
export function ibanValid(iban: string): boolean {
  const s = iban.replace(/ /g, "").toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(s)) return false;
  let rest = 0;
  for (const c of s.slice(4) + s.slice(0, 4)) {
    const n = c >= "A" ? (c.charCodeAt(0) - 55).toString() : c;
    for (const d of n) rest = (rest * 10 + Number(d)) % 97;
  }
  return rest === 1;
}
const IBAN = /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b/g;
const ibans: Detector = (text) => matches(text, IBAN, 0, (m) => ibanValid(m[0]));

const OCTET = "(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
// Four octets, not a part of a longer dotted number, and not a version (v1.2.3.4, version 10.0.0.1).
const IPV4 = new RegExp(
  `(?<![\\w.])(?<!\\bv(?:ersion)?\\s?)${OCTET}(?:\\.${OCTET}){3}(?![\\w]|\\.\\d)`,
  "gi",
);
const IPV6 = /(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])/g;
const ips: Detector = function* (text) {
  yield* matches(text, IPV4);
  // C++'s a::b and clock times are not addresses: isIPv6 decides, and a digit must be in it
  if (text.includes(":")) {
    yield* matches(text, IPV6, 0, (m) => isIPv6(m[0]) && /\d/.test(m[0]) && m[0].length >= 6);
  }
};

// libphonenumber-js (Google's libphonenumber metadata): a number is a phone number when it is
// valid for its country. National formats are read as US numbers; others are found when
// written internationally (+44 ...). It reads only the runs of digits that could be one (with a
// little context each), which keeps its cost (~1 ms on a whole prompt) off most texts.
const PHONE_CANDIDATE = /\+?\(?\d[\d \t().-]{5,}\d/g;
const phones: Detector = function* (text) {
  for (const m of text.matchAll(PHONE_CANDIDATE)) {
    const from = Math.max(0, (m.index ?? 0) - 4);
    const piece = text.slice(from, (m.index ?? 0) + m[0].length + 4);
    for (const found of findPhoneNumbersInText(piece, "US")) {
      yield { start: from + found.startsAt, end: from + found.endsAt };
    }
  }
};

const DETECTORS: [RedactionKind, Detector][] = [
  ["key", secrets],
  ["email", emails],
  ["iban", ibans],
  ["card", cards],
  ["ip", ips],
  ["phone", phones],
];

export interface Redacted {
  text: string;
  /** How many of each kind were replaced; empty when nothing was. */
  found: Partial<Record<RedactionKind, number>>;
}

/** Replaces every personal datum and secret found in `text` with its placeholder. */
export function redact(text: string): Redacted {
  const spans: Span[] = [];
  for (const [kind, detect] of DETECTORS) {
    for (const s of detect(text)) {
      if (s.end > s.start && !spans.some((o) => s.start < o.end && o.start < s.end))
        spans.push({ ...s, kind });
    }
  }
  if (spans.length === 0) return { text, found: {} };
  spans.sort((a, b) => a.start - b.start);
  const found: Partial<Record<RedactionKind, number>> = {};
  let out = "";
  let at = 0;
  for (const s of spans) {
    out += text.slice(at, s.start) + PLACEHOLDER[s.kind];
    at = s.end;
    found[s.kind] = (found[s.kind] ?? 0) + 1;
  }
  return { text: out + text.slice(at), found };
}

/**
 * Redacts enough of `text` for its first `maxChars` code points to be final: the beginning,
 * with a margin so that nothing cut at the window's edge reaches the kept part. Prompts can be
 * megabytes; only what will be kept needs the detectors.
 */
export function redactHead(text: string, maxChars: number): Redacted {
  for (let window = maxChars * 2 + 2048; ; window *= 2) {
    if (window >= text.length) return redact(text);
    const head = redact(text.slice(0, window));
    // the kept part (at most 2 code units a code point) must end well before the window's edge,
    // where a token cut in two may have escaped its pattern
    if (head.text.length >= maxChars * 2 + 1024) return head;
  }
}
