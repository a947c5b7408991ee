import { isSampled } from "../ingest/sampling";
import type { PromptItem } from "../ingest/schema";
import { extractText, truncateCodePoints } from "../ingest/text";
import { type BadReason, type FieldMap, peek, toItem } from "./fields";

/** How a run reads its records: saved with the run, so a resume or a verify reads them alike. */
export interface PickSettings {
  fields: FieldMap;
  since?: Date | undefined;
  until?: Date | undefined;
  secret: string;
  sampleRate: number;
  maxChars: number;
}

export type Picked =
  | { kind: "bad"; reason: BadReason }
  | { kind: "filtered" }
  | { kind: "skipped" }
  | { kind: "sampled"; item: PromptItem };

/**
 * Pure: one record's fate. Cheap checks for all, sampling, full validation only for the sampled,
 * whose item keeps no more text than MAX_CHARS needs while a chunk fills.
 */
export function pickRecord(value: unknown, s: PickSettings): Picked {
  const peeked = peek(value, s.fields);
  if (!peeked.ok) return { kind: "bad", reason: peeked.reason };
  if ((s.since || s.until) && !inWindow(peeked.createdAt, s.since, s.until)) return { kind: "filtered" };
  if (!isSampled(s.secret, peeked.requestId, s.sampleRate)) return { kind: "skipped" };
  const mapped = toItem(value, s.fields);
  if (!mapped.ok) return { kind: "bad", reason: mapped.reason };
  return { kind: "sampled", item: compact(mapped.item, s.maxChars) };
}

function inWindow(createdAt: unknown, since?: Date, until?: Date): boolean {
  if (typeof createdAt !== "string") return false;
  const t = new Date(createdAt).getTime();
  if (Number.isNaN(t)) return false;
  return (!since || t >= since.getTime()) && (!until || t < until.getTime());
}

/** Only the first MAX_CHARS code points matter downstream; keep no more while a chunk fills. */
function compact(item: PromptItem, maxChars: number): PromptItem {
  const { text } = truncateCodePoints(extractText(item), maxChars);
  const { messages: _drop, ...rest } = item;
  return { ...rest, prompt: text };
}
