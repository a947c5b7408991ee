import { describe, expect, it } from "vitest";
import { promptMessages } from "./messages";
import type { Span, Value } from "./spans";

const attrs = (a: Record<string, Value>, events: Span["events"] = []) => ({
  attributes: new Map(Object.entries(a)),
  events,
});
const event = (name: string, a: Record<string, Value>) => ({ name, attributes: new Map(Object.entries(a)) });
const t = (role: string, ...texts: string[]) => ({
  role,
  content: texts.map((text) => ({ type: "text", text })),
});

describe("promptMessages: the prompt of a GenAI span, in each form emitters send", () => {
  it.each<[string, ReturnType<typeof attrs>, ReturnType<typeof t>[] | undefined]>([
    [
      "gen_ai.input.messages with system instructions (semantic conventions)",
      attrs({
        "gen_ai.system_instructions": JSON.stringify([{ type: "text", content: "Be brief." }]),
        "gen_ai.input.messages": JSON.stringify([
          {
            role: "user",
            parts: [
              { type: "text", content: "Sort a list" },
              { type: "image", uri: "x" },
            ],
          },
          { role: "assistant", parts: [{ type: "tool_call", name: "f" }] },
        ]),
      }),
      [t("system", "Be brief."), t("user", "Sort a list")],
    ],
    [
      "LiteLLM's form: OpenAI parts passed through, system instructions as messages",
      attrs({
        "gen_ai.system_instructions": JSON.stringify([
          { role: "system", parts: [{ type: "text", content: "S" }] },
        ]),
        "gen_ai.input.messages": JSON.stringify([
          {
            role: "user",
            parts: [
              { type: "text", text: "one" },
              { type: "image_url", image_url: {} },
            ],
          },
        ]),
      }),
      [t("system", "S"), t("user", "one")],
    ],
    [
      "gen_ai.input.messages as structured values, not a JSON string",
      attrs({ "gen_ai.input.messages": [{ role: "user", parts: [{ type: "text", content: "hi" }] }] }),
      [t("user", "hi")],
    ],
    [
      "OpenRouter's gen_ai.prompt as plain text",
      attrs({ "gen_ai.prompt": "Hello world" }),
      [t("user", "Hello world")],
    ],
    [
      "gen_ai.prompt holding OpenAI messages as JSON",
      attrs({
        "gen_ai.prompt": JSON.stringify([
          { role: "system", content: "S" },
          { role: "user", content: "U" },
        ]),
      }),
      [t("system", "S"), t("user", "U")],
    ],
    [
      "gen_ai.prompt holding a request with messages",
      attrs({ "gen_ai.prompt": JSON.stringify({ model: "m", messages: [{ role: "user", content: "U" }] }) }),
      [t("user", "U")],
    ],
    [
      "gen_ai.prompt that only looks like JSON",
      attrs({ "gen_ai.prompt": "[draft] fix it" }),
      [t("user", "[draft] fix it")],
    ],
    [
      "indexed gen_ai.prompt.N.* (OpenLLMetry, older LiteLLM), in numeric order",
      attrs({
        "gen_ai.prompt.10.role": "user",
        "gen_ai.prompt.10.content": "ten",
        "gen_ai.prompt.2.content": "two",
        "gen_ai.prompt.2.role": "system",
      }),
      [t("system", "two"), t("user", "ten")],
    ],
    [
      "gen_ai.content.prompt event (conventions <= 1.27)",
      attrs({}, [event("gen_ai.content.prompt", { "gen_ai.prompt": "from the event" })]),
      [t("user", "from the event")],
    ],
    [
      "per-message events",
      attrs({}, [
        event("gen_ai.system.message", { content: "sys" }),
        event("gen_ai.user.message", { "gen_ai.event.content": JSON.stringify({ content: "usr" }) }),
        event("gen_ai.choice", { content: "the answer is not the prompt" }),
      ]),
      [t("system", "sys"), t("user", "usr")],
    ],
    [
      "Broadcast's span.input when it holds messages",
      attrs({ "span.input": JSON.stringify({ messages: [{ role: "user", content: "in" }] }) }),
      [t("user", "in")],
    ],
    ["span.input that is not messages", attrs({ "span.input": "plain" }), undefined],
    ["no text at all", attrs({ "gen_ai.request.model": "m" }), undefined],
    [
      "the first form present wins",
      attrs({
        "gen_ai.input.messages": JSON.stringify([
          { role: "user", parts: [{ type: "text", content: "new" }] },
        ]),
        "gen_ai.prompt": "old",
      }),
      [t("user", "new")],
    ],
  ])("%s", (_name, span, expected) => {
    expect(promptMessages(span)).toEqual(expected);
  });
});
