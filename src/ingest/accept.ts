import type { z } from "zod";
import { AppError, type FieldError } from "../platform/errors";
import { problemFields } from "../platform/problem";
import { sampleRateIssues } from "./limits";
import { quickValid } from "./quick";
import { type PromptItem, promptItemSchema } from "./schema";

// A batch's items are judged one by one: a bad item is named by its index and refused alone, its
// valid neighbours go on. Only faults of the whole request (auth, size, type, JSON, the envelope)
// refuse the batch whole, and those are thrown before this runs.

/** One refused item of a batch: its index and a problem+json body of its own. */
export type RejectedItem = ReturnType<typeof problemFields> & { index: number };

/** At most this many field errors per refused item (one item can fail on thousands of messages). */
const MAX_ERRORS_PER_ITEM = 20;

function fieldErrors(error: z.ZodError, prefix: string): FieldError[] {
  return error.issues.slice(0, MAX_ERRORS_PER_ITEM).map((issue) => ({
    path: [prefix, ...issue.path.map(String)].filter(Boolean).join(".") || "(body)",
    message: issue.message,
  }));
}

function rejection(index: number, errors: FieldError[]): RejectedItem {
  const first = errors[0];
  const detail = first
    ? `${first.path}: ${first.message}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ""}`
    : undefined;
  return { index, ...problemFields(new AppError("VALIDATION_FAILED", detail, { errors })) };
}

/**
 * Pure: each raw item checked against the schema and the operator's sampleRate floor. Paths are
 * the request's (`prompts.3.model`), so a router reads them as it read the whole-batch errors.
 * With `outside` (the sample decision by request id), an item outside the sample that passes the
 * quick check is only counted (`outside`), never parsed: the door's work for it is the hash.
 */
export function judgeItems(
  raw: readonly unknown[],
  minSampleRate: number,
  outside?: (requestId: string) => boolean,
): { valid: PromptItem[]; rejected: RejectedItem[]; outside: number } {
  const valid: PromptItem[] = [];
  const rejected: RejectedItem[] = [];
  let skipped = 0;
  for (const [index, value] of raw.entries()) {
    if (outside && quickValid(value) && outside(value.requestId)) {
      skipped++;
      continue;
    }
    const prefix = `prompts.${index}`;
    const parsed = promptItemSchema.safeParse(value);
    const errors = parsed.success
      ? sampleRateIssues([parsed.data], minSampleRate, () => `${prefix}.sampleRate`)
      : fieldErrors(parsed.error, prefix);
    if (parsed.success && errors.length === 0) valid.push(parsed.data);
    else rejected.push(rejection(index, errors));
  }
  return { valid, rejected, outside: skipped };
}
