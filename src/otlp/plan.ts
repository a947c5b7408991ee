import { type PromptItem, promptItemSchema } from "../ingest/schema";
import type { FieldError } from "../platform/errors";
import { llmModel, spanItem } from "./genai";
import type { Span } from "./spans";

export interface SpanPlan {
  /** Items of the LLM spans that passed the /v1/prompts item schema, in span order. */
  items: PromptItem[];
  /** Spans that are not LLM calls. */
  ignored: number;
  /**
   * LLM spans whose parent in the same export is an LLM span too: one call seen twice (LiteLLM's
   * litellm_request under its proxy span, a provider attempt under OpenRouter's generation span),
   * so only the outermost counts.
   */
  nested: number;
  /** LLM spans whose item fails the limits, by their index in the export. */
  rejected: { span: number; errors: FieldError[] }[];
}

/** Pure: which spans become items, which are ignored, which are rejected and why. */
export function planSpans(spans: readonly Span[]): SpanPlan {
  const models = spans.map((s) => llmModel(s));
  const llm = new Set(spans.flatMap((s, i) => (models[i] ? [`${s.traceId}/${s.spanId}`] : [])));
  const plan: SpanPlan = { items: [], ignored: 0, nested: 0, rejected: [] };
  spans.forEach((span, i) => {
    const model = models[i];
    if (!model) {
      plan.ignored++;
      return;
    }
    if (span.parentSpanId && llm.has(`${span.traceId}/${span.parentSpanId}`)) {
      plan.nested++;
      return;
    }
    const parsed = promptItemSchema.safeParse(spanItem(span, model));
    if (parsed.success) plan.items.push(parsed.data);
    else {
      plan.rejected.push({
        span: i,
        errors: parsed.error.issues.slice(0, 10).map((issue) => ({
          path: issue.path.map(String).join(".") || "(span)",
          message: issue.message,
        })),
      });
    }
  });
  return plan;
}

/** How many rejections the answer spells out; the rest are counted. */
const NAMED = 5;

/**
 * Pure: ExportTracePartialSuccess's error_message. Names rejected spans by index and field, never
 * by value (a value could be prompt text); says how many were ignored and why. Undefined when
 * every span became an item.
 */
export function partialMessage(plan: Omit<SpanPlan, "items">): string | undefined {
  const parts: string[] = [];
  if (plan.rejected.length > 0) {
    const named = plan.rejected
      .slice(0, NAMED)
      .map((r) => `span ${r.span}: ${r.errors.map((e) => `${e.path}: ${e.message}`).join(", ")}`);
    const more = plan.rejected.length > NAMED ? `; and ${plan.rejected.length - NAMED} more` : "";
    parts.push(`${plan.rejected.length} LLM span(s) rejected (${named.join("; ")}${more})`);
  }
  if (plan.ignored > 0) {
    parts.push(
      `${plan.ignored} span(s) ignored: not an LLM call under the OpenTelemetry GenAI conventions (no gen_ai.request.model or gen_ai.response.model)`,
    );
  }
  if (plan.nested > 0) parts.push(`${plan.nested} LLM span(s) ignored: inside another LLM span`);
  return parts.length > 0 ? `${parts.join(". ")}.` : undefined;
}
