// The service's limits on an item, checked in the router at record() time, so a bad item is
// refused where it was made (and named there), never sent, and never costs its batch neighbours
// anything. The service checks them again (it trusts no client); a test holds the two to one
// answer on generated items (src/client/census-item.test.ts in the prompt-census repository).

export const LIMITS = {
  requestIdChars: 512,
  modelChars: 256,
  messages: 10_000,
  roleChars: 64,
  partTypeChars: 64,
  tokens: 1_000_000_000,
  costUsd: 1_000_000,
  minSampleRate: 1e-9,
  /** createdAt from 2000-01-01 to a day ahead of the router's clock */
  earliest: Date.UTC(2000, 0, 1),
  aheadMs: 86_400_000,
} as const;

// No control character, no lone surrogate (the service's PRINTABLE).
// biome-ignore lint/suspicious/noControlCharactersInRegex: naming the control characters is the point
const PRINTABLE = /^(?:[^\u0000-\u001F\u007F-\u009F\uD800-\uDFFF]|[\uD800-\uDBFF][\uDC00-\uDFFF])+$/;
// RFC 3339 with seconds and a Z or an offset, real calendar dates only (the service's zod rule)
const DATE =
  "(?:(?:\\d\\d[2468][048]|\\d\\d[13579][26]|\\d\\d0[48]|[02468][048]00|[13579][26]00)-02-29|\\d{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\\d|30)|(?:02)-(?:0[1-9]|1\\d|2[0-8])))";
const ISO_TIME = new RegExp(
  `^${DATE}T(?:[01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d(?:\\.\\d+)?(?:Z|[+-](?:[01]\\d|2[0-3]):[0-5]\\d)$`,
);

type Problems = string[];
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function text(p: Problems, path: string, v: unknown, min: number, max: number) {
  if (typeof v !== "string") p.push(`${path}: must be a string`);
  else if (v.length < min || v.length > max) p.push(`${path}: must be ${min} to ${max} characters`);
}

function optionalNumber(p: Problems, path: string, v: unknown, min: number, max: number, integer = false) {
  if (v === undefined) return;
  if (typeof v !== "number" || !Number.isFinite(v)) p.push(`${path}: must be a finite number`);
  else if (integer && !Number.isSafeInteger(v)) p.push(`${path}: must be an integer`);
  else if (v < min || v > max) p.push(`${path}: must be from ${min} to ${max}`);
}

function content(p: Problems, path: string, v: unknown) {
  if (v === undefined || v === null || typeof v === "string") return;
  if (!Array.isArray(v)) return void p.push(`${path}: must be a string, an array of parts or null`);
  for (const [i, part] of v.entries()) {
    if (!isObject(part)) p.push(`${path}.${i}: must be an object`);
    else {
      if (part.type !== undefined) text(p, `${path}.${i}.type`, part.type, 0, LIMITS.partTypeChars);
      if (part.text !== undefined && typeof part.text !== "string")
        p.push(`${path}.${i}.text: must be a string`);
    }
  }
}

function messages(p: Problems, v: unknown) {
  if (!Array.isArray(v)) return void p.push("messages: must be an array");
  if (v.length > LIMITS.messages) return void p.push(`messages: at most ${LIMITS.messages}`);
  for (const [i, m] of v.entries()) {
    if (!isObject(m)) p.push(`messages.${i}: must be an object`);
    else {
      if (m.role !== undefined) text(p, `messages.${i}.role`, m.role, 0, LIMITS.roleChars);
      content(p, `messages.${i}.content`, m.content);
    }
  }
}

function createdAt(p: Problems, v: unknown, now: number) {
  if (v === undefined) return;
  if (typeof v !== "string" || !ISO_TIME.test(v)) {
    return void p.push("createdAt: must be an ISO time with seconds and Z or an offset");
  }
  const ms = Date.parse(v);
  if (!(ms >= LIMITS.earliest && ms <= now + LIMITS.aheadMs)) {
    p.push("createdAt: must be between 2000-01-01 and one day from now");
  }
}

/**
 * What is wrong with an item, as `field: reason` lines (none when the service would take it).
 * Pure; `now` is the router's clock, for createdAt's one day ahead.
 */
export function checkItem(item: unknown, now = Date.now()): string[] {
  const p: Problems = [];
  if (!isObject(item)) return ["(item): must be an object"];
  text(p, "requestId", item.requestId, 1, LIMITS.requestIdChars);
  text(p, "model", item.model, 1, LIMITS.modelChars);
  if (typeof item.model === "string" && item.model.length > 0 && !PRINTABLE.test(item.model)) {
    p.push("model: must not contain control characters");
  }
  if ((item.prompt === undefined) === (item.messages === undefined)) {
    p.push("prompt: give exactly one of `prompt` or `messages`");
  }
  if (item.prompt !== undefined && typeof item.prompt !== "string") p.push("prompt: must be a string");
  if (item.messages !== undefined) messages(p, item.messages);
  optionalNumber(p, "promptTokens", item.promptTokens, 0, LIMITS.tokens, true);
  optionalNumber(p, "completionTokens", item.completionTokens, 0, LIMITS.tokens, true);
  optionalNumber(p, "costUsd", item.costUsd, 0, LIMITS.costUsd);
  optionalNumber(p, "sampleRate", item.sampleRate, LIMITS.minSampleRate, 1);
  createdAt(p, item.createdAt, now);
  return p;
}
