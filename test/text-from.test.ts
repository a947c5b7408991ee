import { describe, expect, it } from "vitest";
import { useStackWithGoogle } from "./support/harness";
import { createStack, uniqueId } from "./support/stack";

// TEXT_FROM: the study classifies the prompt's first 1,000 characters, which for agent traffic
// is usually its system prompt; last-user classifies the user's own last turn instead, and each
// event records which, so analysts can compare.

const ctx = useStackWithGoogle({ env: { TEXT_FROM: "last-user" } });
const SYSTEM = `You are an autonomous coding agent. ${"Follow the repository's conventions. ".repeat(40)}`;
const chat = (turn: string) => ({
  requestId: uniqueId("chat"),
  model: "m/x",
  sampleRate: 1,
  messages: [
    { role: "system", content: SYSTEM },
    { role: "user", content: turn },
  ],
});

describe("TEXT_FROM", () => {
  it("last-user: Google sees the user's turn, not the system prompt, and the event says so", async () => {
    const item = chat("Translate 'good morning' into Japanese, please");
    expect((await ctx.stack.post(item, ctx.key)).status).toBe(202);
    const event = await ctx.stack.waitForEvent(item.requestId);
    expect(ctx.google.received).toEqual(["Translate 'good morning' into Japanese, please"]);
    expect(event.text_from).toBe("last-user");
  });

  it("prompt (the default): the whole chat in order, so an agent's turns all read as its system prompt", async () => {
    const study = await createStack();
    try {
      const item = chat("Translate 'good morning' into Japanese, please");
      expect((await study.post(item, await study.key("ingest"))).status).toBe(202);
      const event = await study.waitForEvent(item.requestId);
      const sent = ctx.google.received.at(-1) ?? "";
      expect(sent.startsWith("You are an autonomous coding agent.")).toBe(true);
      expect(sent).not.toContain("good morning"); // cut off at 1,000 characters
      expect(event.text_from).toBe("prompt");
    } finally {
      await study.close();
    }
  });
});
