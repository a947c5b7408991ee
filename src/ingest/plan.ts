import type { ClassifyPayload } from "../queue/jobs";
import { type Redacted, redactHead } from "../redaction/pii";
import type { TextFrom } from "../vocabulary";
import { hasVisibleText } from "./limits";
import { eventIdFor, isSampled, observedHour } from "./sampling";
import type { PromptItem } from "./schema";
import { extractText, truncateCodePoints } from "./text";

export interface PlanSettings {
  secret: string;
  sampleRate: number;
  maxChars: number;
  /** REDACT: replace personal data and secrets before the text is cut (src/redaction). */
  redact: boolean;
  /** TEXT_FROM: the whole prompt (the study's rule) or a chat's last user message. */
  textFrom?: TextFrom;
  source: ClassifyPayload["source"];
  now: Date;
}

export type Planned =
  | { sampled: true; eventId: string; payload: ClassifyPayload; redactions: Redacted["found"] }
  | { sampled: false; reason: "not_in_sample" | "no_text" };

/**
 * Pure: decides one item's fate and builds its job payload. The request id is used only to derive
 * the sample decision and the event id; it is not part of the payload. Text is truncated here so
 * nothing longer than `maxChars` code points reaches Redis.
 */
export function planItem(item: PromptItem, s: PlanSettings): Planned {
  const rate = item.sampleRate ?? s.sampleRate;
  if (item.sampleRate === undefined && !isSampled(s.secret, item.requestId, rate)) {
    return { sampled: false, reason: "not_in_sample" };
  }
  const textFrom = s.textFrom ?? "prompt";
  const full = extractText(item, textFrom);
  // before the cut: what Google and Redis get is the redacted text's first maxChars code points
  const redacted = s.redact ? redactHead(full, s.maxChars) : { text: full, found: {} };
  const { text, chars } = truncateCodePoints(redacted.text, s.maxChars);
  // Image-only, empty or invisible (zero-width, NUL) texts have nothing to classify: counting them
  // as skipped keeps batches whole and spends no Google call.
  if (!hasVisibleText(text)) return { sampled: false, reason: "no_text" };
  return {
    sampled: true,
    eventId: eventIdFor(s.secret, item.requestId),
    payload: {
      text,
      chars,
      model: item.model,
      promptTokens: item.promptTokens ?? null,
      completionTokens: item.completionTokens ?? null,
      costUsd: item.costUsd ?? null,
      observedHour: observedHour(item.createdAt, s.now).toISOString(),
      sampleRate: rate,
      source: s.source,
      redacted: Object.keys(redacted.found).length > 0,
      textFrom,
    },
    redactions: redacted.found,
  };
}
