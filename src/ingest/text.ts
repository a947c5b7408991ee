import type { TextFrom } from "../vocabulary";

// Text handling is pure and runs at ingest, so no more than `maxChars` code points ever reach Redis.

export interface ChatPart {
  type?: string | undefined;
  text?: string | undefined;
}

export interface ChatMessage {
  role?: string | undefined;
  content?: string | ChatPart[] | null | undefined;
}

/**
 * The prompt, or the messages' text joined in order with a blank line (system prompts included:
 * the study classifies "the prompt"); non-text parts are ignored. With `last-user`, a chat gives
 * its last user message only (all of the chat when it has none).
 */
export function extractText(
  input: {
    prompt?: string | undefined;
    messages?: ChatMessage[] | undefined;
  },
  from: TextFrom = "prompt",
): string {
  if (input.prompt !== undefined) return input.prompt;
  let messages = input.messages ?? [];
  if (from === "last-user") {
    const last = messages.findLast((m) => m.role === "user");
    if (last) messages = [last];
  }
  const pieces: string[] = [];
  for (const message of messages) {
    const { content } = message;
    if (typeof content === "string") {
      if (content.length > 0) pieces.push(content);
    } else if (Array.isArray(content)) {
      for (const part of content) {
        if (typeof part.text === "string" && part.text.length > 0 && (part.type ?? "text") === "text") {
          pieces.push(part.text);
        }
      }
    }
  }
  return pieces.join("\n\n");
}

/**
 * The first `maxChars` Unicode code points of `text`. A surrogate pair is one code point, so it is
 * kept whole or dropped whole; a lone surrogate counts as one. Combining marks are code points of
 * their own (the study counts characters as Google bills them, not grapheme clusters).
 */
export function truncateCodePoints(text: string, maxChars: number): { text: string; chars: number } {
  // Fast path: UTF-16 length is an upper bound on code points.
  if (text.length <= maxChars) return { text, chars: countCodePoints(text) };
  let units = 0;
  let chars = 0;
  while (chars < maxChars && units < text.length) {
    const code = text.charCodeAt(units);
    const isHigh = code >= 0xd800 && code <= 0xdbff;
    const next = text.charCodeAt(units + 1);
    units += isHigh && next >= 0xdc00 && next <= 0xdfff ? 2 : 1;
    chars += 1;
  }
  return { text: text.slice(0, units), chars };
}

export function countCodePoints(text: string): number {
  let chars = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    chars++;
  }
  return chars;
}
