const segmenter = new Intl.Segmenter("und", { granularity: "word" });

/**
 * Words as Google would roughly count tokens: word-like segments by Unicode's rules (ICU's
 * dictionaries split Chinese and Japanese, which have no spaces), not runs between spaces.
 * Stops counting at `upTo`: the pre-skip only asks whether a text has enough.
 */
export function countWords(text: string, upTo = Number.POSITIVE_INFINITY): number {
  let n = 0;
  for (const segment of segmenter.segment(text)) {
    if (segment.isWordLike && ++n >= upTo) return n;
  }
  return n;
}
