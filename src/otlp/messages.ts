import type { Span, Value } from "./spans";

// Where a GenAI span carries its prompt, in the forms the emitters we target actually send. Only
// text is read; images, audio and tool definitions are not. Nothing here is logged or kept: the
// messages go to the same planItem as POST /v1/prompts (redaction, cut, queue).
//
// 1. `gen_ai.input.messages` (+ `gen_ai.system_instructions`): the current GenAI semantic
//    conventions (open-telemetry/semantic-conventions, docs/gen-ai/gen-ai-spans.md), a JSON array
//    `[{ role, parts: [{ type: "text", content }] }]`. LiteLLM's `callbacks: ["otel"]` sends this
//    (BerriAI/litellm litellm/integrations/opentelemetry.py, set_attributes ->
//    _transform_messages_to_otel_semantic_conventions), passing OpenAI-style parts
//    `{ type: "text", text }` through unchanged, and system instructions as messages too.
// 2. `gen_ai.prompt`: a string. OpenRouter Broadcast puts the request's content here (its docs'
//    "Payload format", and the attribute list in hra42/openrouter-go broadcast.go); it may be plain
//    text or the messages as JSON, so both are read.
// 3. `gen_ai.prompt.<i>.role` / `.content`: the older indexed form (OpenLLMetry, LiteLLM before
//    gen_ai.input.messages; LiteLLM's SpanAttributes.LLM_PROMPTS = "gen_ai.prompt").
// 4. Span events of the older conventions: `gen_ai.content.prompt` with a `gen_ai.prompt`
//    attribute, and `gen_ai.system.message` / `gen_ai.user.message` / `gen_ai.assistant.message` /
//    `gen_ai.tool.message` with `content` (or `gen_ai.event.content`, a JSON body).
// 5. OpenRouter Broadcast's `span.input` / `trace.input`, only when they hold messages as JSON.

export interface ItemMessage {
  role: string;
  content: { type: "text"; text: string }[];
}

const EVENT_ROLES: Record<string, string> = {
  "gen_ai.system.message": "system",
  "gen_ai.user.message": "user",
  "gen_ai.assistant.message": "assistant",
  "gen_ai.tool.message": "tool",
};

/** A JSON string parsed, anything else as it is; text that is not JSON gives undefined. */
function parsed(value: Value | undefined): Value | undefined {
  if (typeof value !== "string") return value ?? undefined;
  const t = value.trimStart();
  if (!t.startsWith("[") && !t.startsWith("{")) return undefined;
  try {
    return JSON.parse(value) as Value;
  } catch {
    return undefined;
  }
}

const isObject = (v: unknown): v is Record<string, Value> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** The text pieces of one part, a list of parts, or a plain string. */
function texts(content: Value | undefined): string[] {
  if (typeof content === "string") return content.length > 0 ? [content] : [];
  if (Array.isArray(content)) return content.flatMap((p) => texts(p));
  if (!isObject(content)) return [];
  const type = typeof content.type === "string" ? content.type : "text";
  if (type !== "text" && type !== "input_text") return [];
  const text = content.content ?? content.text;
  return typeof text === "string" && text.length > 0 ? [text] : [];
}

function message(role: string, content: Value | undefined): ItemMessage | undefined {
  const pieces = texts(content);
  if (pieces.length === 0) return undefined;
  return { role, content: pieces.map((text) => ({ type: "text", text })) };
}

/** Messages from a JSON value: an array of messages or of parts, or `{ messages: [...] }`. */
function fromJson(value: Value | undefined, defaultRole: string): ItemMessage[] | undefined {
  const list = isObject(value) && Array.isArray(value.messages) ? value.messages : value;
  if (!Array.isArray(list)) return undefined;
  const out: ItemMessage[] = [];
  for (const entry of list) {
    if (isObject(entry) && ("parts" in entry || "role" in entry || "content" in entry)) {
      const role = typeof entry.role === "string" ? entry.role : defaultRole;
      const m = message(role, entry.parts ?? entry.content);
      if (m) out.push(m);
    } else {
      const m = message(defaultRole, entry); // a bare part (system instructions)
      if (m) out.push(m);
    }
  }
  return out;
}

function fromSemconv(a: Map<string, Value>): ItemMessage[] | undefined {
  const input = fromJson(parsed(a.get("gen_ai.input.messages")), "user");
  if (!input) return undefined;
  const system = fromJson(parsed(a.get("gen_ai.system_instructions")), "system") ?? [];
  return [...system, ...input];
}

/** `gen_ai.prompt` (or an event's copy of it): JSON messages, else the string as the user's text. */
function fromPromptString(value: Value | undefined): ItemMessage[] | undefined {
  const json = fromJson(parsed(value), "user");
  if (json) return json;
  const m = typeof value === "string" ? message("user", value) : undefined;
  return m ? [m] : undefined;
}

function fromIndexed(a: Map<string, Value>): ItemMessage[] | undefined {
  const byIndex = new Map<number, { role?: Value; content?: Value }>();
  for (const [key, value] of a) {
    const m = /^gen_ai\.prompt\.(\d+)\.(role|content)$/.exec(key);
    if (!m) continue;
    const i = Number(m[1]);
    byIndex.set(i, { ...byIndex.get(i), [m[2] as string]: value });
  }
  if (byIndex.size === 0) return undefined;
  return [...byIndex.entries()]
    .sort(([x], [y]) => x - y)
    .flatMap(([, e]) => {
      const m = message(typeof e.role === "string" ? e.role : "user", parsed(e.content) ?? e.content);
      return m ? [m] : [];
    });
}

function fromEvents(events: Span["events"]): ItemMessage[] | undefined {
  const out: ItemMessage[] = [];
  for (const e of events) {
    if (e.name === "gen_ai.content.prompt") {
      out.push(...(fromPromptString(e.attributes.get("gen_ai.prompt")) ?? []));
      continue;
    }
    const role = EVENT_ROLES[e.name];
    if (!role) continue;
    const body = parsed(e.attributes.get("gen_ai.event.content"));
    const content = e.attributes.get("content") ?? (isObject(body) ? body.content : undefined);
    const m = message(role, parsed(content) ?? content);
    if (m) out.push(m);
  }
  return out.length > 0 ? out : undefined;
}

/** Pure: the span's prompt as chat messages, from the first form present; undefined when none is. */
export function promptMessages(span: Pick<Span, "attributes" | "events">): ItemMessage[] | undefined {
  const a = span.attributes;
  return (
    fromSemconv(a) ??
    (a.has("gen_ai.prompt") ? fromPromptString(a.get("gen_ai.prompt")) : undefined) ??
    fromIndexed(a) ??
    fromEvents(span.events) ??
    fromJson(parsed(a.get("span.input")), "user") ??
    fromJson(parsed(a.get("trace.input")), "user")
  );
}
