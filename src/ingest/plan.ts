import type { ClassifyPayload } from "../classification/jobs";
import { hasVisibleText } from "./limits";
import { eventIdFor, isSampled, observedHour } from "./sampling";
import type { PromptItem } from "./schema";
import { extractText, truncateCodePoints } from "./text";

export interface PlanSettings {
  secret: string;
  sampleRate: number;
  maxChars: number;
  source: ClassifyPayload["source"];
  now: Date;
}

export type Planned =
  | { sampled: true; eventId: string; payload: ClassifyPayload }
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
  const { text, chars } = truncateCodePoints(extractText(item), s.maxChars);
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
    },
  };
}
