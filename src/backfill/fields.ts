import { type PromptItem, promptItemSchema } from "../ingest/schema";

// Where each field of a log record lives. Dotted paths reach into objects (`usage.prompt_tokens`).
export interface FieldMap {
  requestId: string;
  prompt: string;
  messages: string;
  model: string;
  createdAt: string;
  promptTokens: string;
  completionTokens: string;
  costUsd: string;
}

export const DEFAULT_FIELDS: FieldMap = {
  requestId: "requestId",
  prompt: "prompt",
  messages: "messages",
  model: "model",
  createdAt: "createdAt",
  promptTokens: "promptTokens",
  completionTokens: "completionTokens",
  costUsd: "costUsd",
};

/** OpenAI-style chat logs: a chat.completion with its request's messages beside it. */
export const OPENAI_CHAT_FIELDS: FieldMap = {
  requestId: "id",
  prompt: "prompt",
  messages: "messages",
  model: "model",
  createdAt: "created",
  promptTokens: "usage.prompt_tokens",
  completionTokens: "usage.completion_tokens",
  costUsd: "usage.cost",
};

export type BadReason =
  | "invalid_json"
  | "not_an_object"
  | "missing_id"
  | "no_text"
  | "invalid_fields"
  | "too_long";

export type Mapped = { ok: true; item: PromptItem } | { ok: false; reason: BadReason };

function get(record: Record<string, unknown>, path: string): unknown {
  if (path in record) return record[path];
  let cur: unknown = record;
  for (const key of path.split(".")) {
    if (typeof cur !== "object" || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

const blank = (v: unknown) => v === undefined || v === null || v === "";

/** Numbers may arrive as strings (CSV) or be absent; anything unparsable is left for zod to reject. */
function number(v: unknown): unknown {
  if (blank(v)) return undefined;
  if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) return Number(v);
  return v;
}

/** ISO strings pass through; Unix times (seconds or milliseconds) become ISO. */
function time(v: unknown): unknown {
  if (blank(v)) return undefined;
  const n = typeof v === "number" ? v : typeof v === "string" && /^\d{9,13}$/.test(v) ? Number(v) : undefined;
  if (n === undefined) return v;
  const d = new Date(n < 1e11 ? n * 1000 : n);
  // beyond JS dates (±8.64e15 ms): left as a number for zod to refuse, not a RangeError here
  return Number.isNaN(d.getTime()) ? v : d.toISOString();
}

/** CSV cells hold messages as JSON text. */
function messages(v: unknown): unknown {
  if (typeof v === "string" && v.trimStart().startsWith("[")) {
    try {
      return JSON.parse(v);
    } catch {
      return v;
    }
  }
  return v;
}

export type Peeked = { ok: true; requestId: string; createdAt: unknown } | { ok: false; reason: BadReason };

/**
 * Pure and cheap, for every record: is it an object with an id and some text? Full validation
 * (`toItem`) runs only for the records in the sample, which keeps a backfill near JSON.parse speed.
 */
export function peek(record: unknown, fields: FieldMap): Peeked {
  if (typeof record !== "object" || record === null || Array.isArray(record))
    return { ok: false, reason: "not_an_object" };
  const r = record as Record<string, unknown>;
  const id = get(r, fields.requestId);
  if (blank(id) || (typeof id !== "string" && typeof id !== "number"))
    return { ok: false, reason: "missing_id" };
  const prompt = get(r, fields.prompt);
  const msgs = get(r, fields.messages);
  const hasText =
    (typeof prompt === "string" && prompt.trim() !== "") ||
    (Array.isArray(msgs) && msgs.length > 0) ||
    (typeof msgs === "string" && msgs.trimStart().startsWith("["));
  if (!hasText) return { ok: false, reason: "no_text" };
  return { ok: true, requestId: String(id), createdAt: time(get(r, fields.createdAt)) };
}

/**
 * Pure: one log record to a prompt item, validated by the same schema as live ingest. A record
 * without an id or without text is a bad line; its content is never reported, only its reason.
 */
export function toItem(record: unknown, fields: FieldMap): Mapped {
  const peeked = peek(record, fields);
  if (!peeked.ok) return peeked;
  const r = record as Record<string, unknown>;
  const prompt = get(r, fields.prompt);
  const msgs = messages(get(r, fields.messages));
  const hasPrompt = typeof prompt === "string" && prompt.trim() !== "";
  if (!hasPrompt && !(Array.isArray(msgs) && msgs.length > 0)) return { ok: false, reason: "no_text" };
  const candidate = {
    requestId: peeked.requestId,
    ...(hasPrompt ? { prompt } : { messages: msgs }),
    model: blank(get(r, fields.model)) ? "unknown" : get(r, fields.model),
    promptTokens: number(get(r, fields.promptTokens)),
    completionTokens: number(get(r, fields.completionTokens)),
    costUsd: number(get(r, fields.costUsd)),
    createdAt: peeked.createdAt,
  };
  const parsed = promptItemSchema.safeParse(candidate);
  return parsed.success ? { ok: true, item: parsed.data } : { ok: false, reason: "invalid_fields" };
}
