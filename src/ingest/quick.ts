import { MAX_COST_USD, MAX_MODEL_CHARS, MAX_TOKENS, PRINTABLE } from "../vocabulary";
import { createdAtSchema } from "./schema";

// The door's quick check. At 0.25% sampling, 399 items in 400 are only counted: zod's full parse
// of each (~3.3 us an item, six times JSON.parse) was most of an ingest request's own work. An item
// this check passes is one promptItemSchema accepts (a property test holds the two together), so
// an unsampled item that passes is counted as skipped with no zod parse; anything else (a fault,
// an own sampleRate, a shape this check does not know) goes to zod, which names the fault.

type Bag = Record<string, unknown>;

const isBag = (v: unknown): v is Bag => typeof v === "object" && v !== null && !Array.isArray(v);
const optString = (v: unknown, max = Number.POSITIVE_INFINITY) =>
  v === undefined || (typeof v === "string" && v.length <= max);
const optCount = (v: unknown) =>
  v === undefined || (Number.isInteger(v) && (v as number) >= 0 && (v as number) <= MAX_TOKENS);

function partOk(part: unknown): boolean {
  return isBag(part) && optString(part.type, 64) && optString(part.text);
}

function messageOk(m: unknown): boolean {
  if (!isBag(m) || !optString(m.role, 64)) return false;
  const c = m.content;
  return c === undefined || c === null || typeof c === "string" || (Array.isArray(c) && c.every(partOk));
}

function textOk(item: Bag): boolean {
  const { prompt, messages } = item;
  if (prompt !== undefined) return typeof prompt === "string" && messages === undefined;
  return Array.isArray(messages) && messages.length <= 10_000 && messages.every(messageOk);
}

/**
 * Pure: true only for an item without its own sampleRate that promptItemSchema accepts. False
 * means "ask zod", not "invalid".
 */
export function quickValid(item: unknown): item is Bag & { requestId: string } {
  if (!isBag(item) || item.sampleRate !== undefined) return false;
  const { requestId, model, costUsd, createdAt } = item;
  return (
    typeof requestId === "string" &&
    requestId.length >= 1 &&
    requestId.length <= 512 &&
    typeof model === "string" &&
    model.length >= 1 &&
    model.length <= MAX_MODEL_CHARS &&
    PRINTABLE.test(model) &&
    optCount(item.promptTokens) &&
    optCount(item.completionTokens) &&
    (costUsd === undefined || (typeof costUsd === "number" && costUsd >= 0 && costUsd <= MAX_COST_USD)) &&
    (createdAt === undefined || createdAtSchema.safeParse(createdAt).success) &&
    textOk(item)
  );
}
