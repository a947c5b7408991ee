import { type Detector, matches } from "./span";

// E-mail addresses, as written and as people disguise them: jane@example.com, jane＠example．com
// (full-width), jane [at] example [dot] com, jane(at)example(dot)com, jane at example dot com.

const FULL_WIDTH = String.raw`\uFF10-\uFF19\uFF21-\uFF3A\uFF41-\uFF5A`; // ０-９ Ａ-Ｚ ａ-ｚ
// (an apostrophe inside, as in o'brien, not around: 'jane@example.com')
const LOCAL = String.raw`[A-Za-z0-9_%+\-${FULL_WIDTH}][A-Za-z0-9._%+\-'${FULL_WIDTH}]{0,63}`;
// One label; the dots between labels keep the split unambiguous, so a failed match backtracks
// at most a label's length per label.
const LABEL = String.raw`[A-Za-z0-9${FULL_WIDTH}][A-Za-z0-9\-${FULL_WIDTH}]{0,62}`;
const TLD = String.raw`[A-Za-z\uFF21-\uFF3A\uFF41-\uFF5A]{2,24}`;
const BRACKETED = (word: string) => String.raw`[ \t]{0,2}[[({<][ \t]?${word}[ \t]?[\])}>][ \t]{0,2}`;
const SPELLED = (word: string) => String.raw`[ \t]{1,2}${word}[ \t]{1,2}`;
const DOT = String.raw`(?:[.\uFF0E]|${BRACKETED("dot")}|${SPELLED("dot")})`;
const OBFUSCATED_DOT = `(?:${BRACKETED("dot")}|${SPELLED("dot")})`;
const NOT_AFTER = String.raw`(?<![\w.%+\-${FULL_WIDTH}])`;
const NOT_BEFORE = String.raw`(?![\w${FULL_WIDTH}])`;

// An @ (or a bracketed "at"), then labels and a top-level domain. A disguised "at" may follow a
// disguised dot too: jane [dot] doe [at] example [dot] com.
const EMAIL = new RegExp(
  `${NOT_AFTER}(?:${LOCAL}[@\\uFF20]|${LOCAL}(?:${OBFUSCATED_DOT}${LOCAL}){0,3}${BRACKETED("at")})(?:${LABEL}${DOT}){1,8}${TLD}${NOT_BEFORE}`,
  "gi",
);
// "at" spelled out reads as English ("look at example.com"), so it counts only with a spelled or
// bracketed "dot", a top-level domain people say aloud, and not after words a sentence puts
// there ("at the dot com boom").
const SAID_TLD = "(?:com|org|net|edu|gov|info|biz|io|ai|app|dev|[a-z]{2})";
const NOT_A_DOMAIN = String.raw`(?!(?:the|a|an|my|your|our|his|her|its|their|this|that|home|work|least|last|once|all|night|noon)\b)`;
const SPELLED_EMAIL = new RegExp(
  `${NOT_AFTER}${LOCAL}(?:${OBFUSCATED_DOT}${LOCAL}){0,3}${SPELLED("at")}${NOT_A_DOMAIN}(?:${LABEL}${OBFUSCATED_DOT}){1,4}${SAID_TLD}\\b`,
  "gi",
);

// What each pattern needs somewhere in the text: a cheap search that spares the patterns (which
// try every word) on the texts that have none.
const HAS_AT = /[@\uFF20]|[[({<][ \t]?at[ \t]?[\])}>]/i;
const HAS_SPELLED = /[ \t]at[ \t]/i;

export const emails: Detector = function* (text) {
  // a git remote (git@github.com:org/repo) names a host, not a person
  if (HAS_AT.test(text)) yield* matches(text, EMAIL, 0, (m) => !m[0].startsWith("git@"));
  if (HAS_SPELLED.test(text)) yield* matches(text, SPELLED_EMAIL);
};
