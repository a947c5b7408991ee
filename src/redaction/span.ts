// What every detector shares: the span it reports, and the one way to run a pattern over a text.

export interface Range {
  start: number;
  end: number;
}

/**
 * A detector reads `text` and reports spans. `taken` marks what detectors earlier in the order
 * have already claimed (1 a code unit): a hint that lets a costly check (a phone number's
 * metadata) skip what will be dropped anyway. `cut` says that `text` is the head of a longer
 * text (redactHead's window), so a match that reaches its end may go on past it: a detector
 * whose decision depends on a whole match of unbounded length (is this value code? a JWT's
 * third segment) must then decide for a secret. Every pattern a detector runs must cost time
 * linear in the text: no unbounded quantifier that can fail after a long scan at many starts.
 */
export type Detector = (text: string, taken: Uint8Array, cut: boolean) => Iterable<Range>;

/** Each match of a global `pattern` (or its `group`) that `accept` keeps. */
export function* matches(
  text: string,
  pattern: RegExp,
  group = 0,
  accept: (m: RegExpExecArray) => boolean = () => true,
): Generator<Range> {
  for (const m of text.matchAll(pattern)) {
    const value = m[group];
    if (value === undefined || value.length === 0 || !accept(m)) continue;
    // a group's own offset needs the pattern's `d` flag; without it, its first place in the match
    const start = m.indices?.[group]?.[0] ?? m.index + m[0].indexOf(value);
    yield { start, end: start + value.length };
  }
}

/** Where the run of non-space characters (as \s sees space) that ends `text` begins. */
export function lastRunStart(text: string): number {
  let from = text.length;
  while (from > 0 && !isSpace(text.charCodeAt(from - 1))) from--;
  return from;
}

// JavaScript's \s: ASCII whitespace, NBSP, Unicode's space separators, line and paragraph
// separators, and the byte-order mark.
const isSpace = (c: number) =>
  c === 32 ||
  (c >= 9 && c <= 13) ||
  c === 0xa0 ||
  c === 0x1680 ||
  (c >= 0x2000 && c <= 0x200a) ||
  c === 0x2028 ||
  c === 0x2029 ||
  c === 0x202f ||
  c === 0x205f ||
  c === 0x3000 ||
  c === 0xfeff;

/** Whether any code unit of [start, end) is claimed. */
export function isTaken(taken: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (taken[i] === 1) return true;
  return false;
}
