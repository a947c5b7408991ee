import { type Detector, lastRunStart, matches } from "./span";

// Secrets: providers' key formats, private-key blocks, credentials in URLs and headers, values
// assigned to a secret's name, and long high-entropy tokens of no known kind.

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
// npm-access-token, huggingface-access-token, sendgrid-api-token, twilio-api-key, jwt, groq,
// perplexity, xai, replicate, digitalocean, shopify, databricks, gcp oauth client secret,
// telegram-bot-api-token), written for JavaScript's regular expressions. Every open-ended run
// either succeeds once it starts (nothing after it can fail) or may start only where a run of
// its characters starts, so a failing attempt never rescans a long run from many places.
const PROVIDER_KEYS = new RegExp(
  [
    String.raw`\b(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}\b`,
    String.raw`\bgh[pousr]_[A-Za-z0-9]{36,255}\b`,
    String.raw`\bgithub_pat_\w{82}\b`,
    String.raw`\bglpat-[\w-]{20,}`,
    String.raw`\bxox[abposr]-(?:\d+-)?[A-Za-z0-9-]{10,}`,
    String.raw`\bxapp-\d-[A-Za-z0-9-]{10,}`,
    String.raw`https://hooks\.slack\.com/(?:services|workflows)/[A-Za-z0-9+/]{30,}`,
    String.raw`\bsk-(?:ant-|proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}`,
    String.raw`\b[rs]k_(?:test|live|prod)_[A-Za-z0-9]{10,99}\b`,
    String.raw`\bAIza[\w-]{35}`,
    String.raw`\bGOCSPX-[\w-]{28}`,
    String.raw`\bnpm_[A-Za-z0-9]{36}\b`,
    String.raw`\bhf_[A-Za-z]{34}\b`,
    String.raw`\bSG\.[\w-]{22}\.[\w-]{43}\b`,
    String.raw`\bSK[0-9a-fA-F]{32}\b`,
    String.raw`\bgsk_[A-Za-z0-9]{52}\b`,
    String.raw`\bpplx-[A-Za-z0-9]{48}\b`,
    String.raw`\bxai-[A-Za-z0-9]{80}\b`,
    String.raw`\br8_[A-Za-z0-9]{37}\b`,
    String.raw`\bdo[por]_v1_[a-f0-9]{64}\b`,
    String.raw`\bshp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}\b`,
    String.raw`\bdapi[a-f0-9]{32}(?:-\d)?\b`,
    String.raw`\b\d{8,10}:AA[\w-]{33}\b`,
    String.raw`(?<![\w-])ey[A-Za-z0-9_-]{17,}\.ey[A-Za-z0-9_/\\-]{17,}\.[A-Za-z0-9_/\\-]{10,}={0,2}`,
  ].join("|"),
  "g",
);
// A private-key block, or what is left of one when the text (or the window scanned) ends inside it.
// Found as its first line, then the next last line (a search, not a lazy pattern: 5x faster).
const KEY_BEGIN = /-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----/g;
const KEY_END = /-----END[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----/g;
function* privateKeys(text: string) {
  const begin = new RegExp(KEY_BEGIN);
  const end = new RegExp(KEY_END);
  for (let b = begin.exec(text); b; b = begin.exec(text)) {
    end.lastIndex = begin.lastIndex;
    const e = end.exec(text);
    const to = e ? end.lastIndex : text.length;
    yield { start: b.index, end: to };
    begin.lastIndex = to;
  }
}
// A password in a URL (scheme://user:password@host, or redis://:password@host): the password, up
// to the last @ before the host.
const URL_PASSWORD = /(?<![a-z0-9+.-])[a-z][a-z0-9+.-]{0,31}:\/\/[^\s:/@]{0,256}:([^\s/]{1,256})@/dgi;
// `api_key = ...`, `"password": "..."`, `aws_secret_access_key: ...`, `x-api-key: ...`, `my
// password is ...`: the value, when it is not code. The keyword may end a longer name
// (AWS_SECRET_ACCESS_KEY, clientSecret).
const KEYWORD =
  "(?:api[_-]?key|apikey|secret(?:[_-]?(?:access[_-]?)?key)?|access[_-]?(?:key|token)|auth[_-]?token|token|passw(?:or)?d|pwd|private[_-]?key)";
const ASSIGNED = new RegExp(
  String.raw`${KEYWORD}["']?(?:\s*[:=]|\s+is)\s*["']?([^\s"'${"`"},;(){}[\]<>]{6,})`,
  "dgi",
);
// An HTTP Authorization header's credentials.
const AUTHORIZATION = /\b(?:Bearer|Basic|Token)\s+([A-Za-z0-9._~+/-]{12,}={0,2})/dg;
const looksLikeCode = (v: string) =>
  /^[A-Za-z_$#][\w$#]*(?:\??\.[A-Za-z_$#][\w$#]*)+$/.test(v) || // process.env.API_KEY, this.#token, a?.b
  /^[A-Za-z_]+$/.test(v) || // an identifier: getToken, myPassword, YOUR_API_KEY
  /^\$\{?[\w.]+\}?$|^%\w+%$/.test(v) || // ${SECRET}, $TOKEN, %TOKEN%
  /^[~.]{0,2}\//.test(v) || // a path: PWD=/home/me
  /^<[^>]*>$|^x{4,}$|^\*{4,}$|^\.{3,}$|\.\.\.$|…/i.test(v); // placeholders: <key>, xxxx, sk-...
// A long token with all three character classes and high entropy: a key of an unknown kind. Not
// a subresource-integrity hash (sha384-...), an Ethereum address (0x..., its case a checksum),
// hexadecimal, words run together (an identifier, a file name), nor a path of them.
const TOKEN = /(?<![\w+/=-])[A-Za-z0-9+/_=-]{32,}(?![\w+/=-])/g;
/**
 * A token is judged on its first 256 characters: fewer than redactHead's margin, so a token cut
 * by a window's edge is judged as it would be whole. (And a long token's head tells enough.)
 */
export const TOKEN_SAMPLE = 256;
function isSecretToken(token: string): boolean {
  const v = token.slice(0, TOKEN_SAMPLE);
  // a path (github.com/org/repo/blob/<commit>/src/file): its segments are judged one by one
  const segments = v.split("/");
  if (segments.filter((s) => /^[a-z][a-z-]{2,}$/.test(s)).length >= 2) {
    return segments.some((s) => s.length >= 32 && isHighEntropyToken(s));
  }
  return isHighEntropyToken(v);
}
function isHighEntropyToken(v: string): boolean {
  if (/^sha(?:256|384|512)-|^0x[0-9a-fA-F]+$/.test(v) || meanWordLength(v) >= 3.3) return false;
  // hexadecimal with a letter or two more (a diff anchor, #diff-3458...R5): a digest
  if ((v.match(/[^0-9a-f-]/g)?.length ?? 0) <= v.length / 10) return false;
  let digits = 0;
  let upper = 0;
  let lower = 0;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
    else if (c >= 65 && c <= 90) upper++;
    else if (c >= 97 && c <= 122) lower++;
  }
  return digits >= 2 && upper >= 2 && lower >= 2 && shannonEntropy(v) >= 4;
}
/**
 * The mean length of the words, capitalised words, acronyms and numbers a token is made of:
 * getUser2FAStatusHandler and Q3-2024-Revenue-Report-FINAL are made of words (3.5 and more), a
 * random key of fragments (1.9 on average for 40 random base-62 characters; 2.7 at the 99th
 * percentile).
 */
function meanWordLength(token: string): number {
  const words = token.match(/[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+/g) ?? [];
  return words.length === 0 ? 0 : words.reduce((n, w) => n + w.length, 0) / words.length;
}

// A JWT's first segments at the end of a window, its last one cut off.
const CUT_JWT = /(?<![\w-])ey[A-Za-z0-9_-]{17,}(?:\.[A-Za-z0-9_/\\-]*){0,2}$/;

export const secrets: Detector = function* (text, taken, cut) {
  if (text.includes("-----BEGIN")) yield* privateKeys(text);
  yield* matches(text, PROVIDER_KEYS);
  if (cut) {
    // before TOKEN, which would take its payload alone and leave its head. The last run of
    // non-space characters only: the pattern is anchored at the end.
    const from = lastRunStart(text);
    const jwt = CUT_JWT.exec(text.slice(from));
    if (jwt) yield { start: from + jwt.index, end: text.length };
  }
  if (text.includes("://")) yield* matches(text, URL_PASSWORD, 1);
  // a value that the window's edge cuts may be code or a secret: a secret, then (a full stop
  // after a value ends the sentence: "the token is expired.")
  const secretValue = (m: RegExpExecArray) => {
    const value = m[1] ?? "";
    if (cut && m.index + m[0].length === text.length) return true;
    return !looksLikeCode(value) && !looksLikeCode(value.replace(/[.!?:]$/, ""));
  };
  yield* matches(text, ASSIGNED, 1, secretValue);
  yield* matches(text, AUTHORIZATION, 1, secretValue);
  // (inside a private key or a key found already: not judged again)
  yield* matches(text, TOKEN, 0, (m) => taken[m.index] !== 1 && isSecretToken(m[0]));
};
