import { type ItemMessage, promptMessages } from "./messages";
import type { Span, Value } from "./spans";

// Which spans are LLM calls, and the item each becomes: the same item POST /v1/prompts takes.
// Attribute names are those of the OpenTelemetry GenAI semantic conventions
// (open-telemetry/semantic-conventions, docs/gen-ai/gen-ai-spans.md), their older names still sent
// by LiteLLM and OpenLLMetry (gen_ai.usage.prompt_tokens / completion_tokens), and OpenRouter
// Broadcast's additions (gen_ai.usage.total_cost, or gen_ai.usage.cost before it; see
// hra42/openrouter-go broadcast.go and OpenRouter's Broadcast webhook docs).

/**
 * `gen_ai.operation.name` values of spans that carry a model but are not one LLM completion:
 * embeddings, tools, agents (whose chat calls are spans of their own) and LiteLLM's other call
 * types (it writes its call_type there: "embedding", "image_generation", ...).
 */
const NOT_INFERENCE = new Set([
  "embeddings",
  "embedding",
  "aembedding",
  "execute_tool",
  "create_agent",
  "invoke_agent",
  "invoke_workflow",
  "retrieval",
  "image_generation",
  "aimage_generation",
  "moderation",
  "amoderation",
  "transcription",
  "atranscription",
  "speech",
  "aspeech",
  "rerank",
  "arerank",
]);

export interface SpanItem {
  requestId: string;
  model: string;
  messages?: ItemMessage[];
  prompt?: string;
  promptTokens?: number;
  completionTokens?: number;
  costUsd?: number;
  createdAt?: string;
}

const text = (v: Value | undefined) => (typeof v === "string" && v.length > 0 ? v : undefined);

/** A number attribute; numeric strings too (some SDKs stringify what they cannot type). */
function numberOf(v: Value | undefined): number | undefined {
  if (typeof v === "number") return v;
  if (typeof v === "string" && /^\s*-?\d+(\.\d+)?([eE][-+]?\d+)?\s*$/.test(v)) return Number(v);
  return undefined;
}

function first(a: Map<string, Value>, keys: string[]): number | undefined {
  for (const key of keys) {
    const n = numberOf(a.get(key));
    if (n !== undefined) return n;
  }
  return undefined;
}

/** Pure: the model, when the span is an LLM call; undefined otherwise. */
export function llmModel(span: Pick<Span, "attributes">): string | undefined {
  const a = span.attributes;
  const model = text(a.get("gen_ai.response.model")) ?? text(a.get("gen_ai.request.model"));
  const operation = text(a.get("gen_ai.operation.name"));
  if (!model || (operation && NOT_INFERENCE.has(operation))) return undefined;
  return model;
}

/** Pure: span start as ISO time; undefined when unset (0) or unreadable, so ingest uses "now". */
export function startTime(nanos: string): string | undefined {
  if (!/^\d{1,20}$/.test(nanos)) return undefined;
  const ms = Number(BigInt(nanos) / 1_000_000n);
  if (ms <= 0 || !Number.isFinite(ms)) return undefined;
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/**
 * Pure: the item an LLM span becomes. The request id is `gen_ai.response.id` (the provider's id,
 * so two spans of one call, or one call exported twice, are one event), else trace and span id.
 * Not checked here: the caller validates it with the /v1/prompts item schema.
 */
export function spanItem(span: Span, model: string): SpanItem {
  const a = span.attributes;
  const messages = promptMessages(span);
  const item: SpanItem = {
    requestId:
      text(a.get("gen_ai.response.id")) ??
      (span.traceId && span.spanId ? `${span.traceId}-${span.spanId}` : ""),
    model,
    // No text (content capture off) still makes an item: ingest counts it as skipped.
    ...(messages && messages.length > 0 ? { messages } : { prompt: "" }),
  };
  const input = first(a, ["gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens"]);
  const output = first(a, ["gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens"]);
  const cost = first(a, ["gen_ai.usage.total_cost", "gen_ai.usage.cost", "gen_ai.cost.total_cost"]);
  const createdAt = startTime(span.startTimeUnixNano);
  if (input !== undefined) item.promptTokens = input;
  if (output !== undefined) item.completionTokens = output;
  if (cost !== undefined) item.costUsd = cost;
  if (createdAt !== undefined) item.createdAt = createdAt;
  return item;
}
