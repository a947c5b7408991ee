import { describe, expect, it } from "vitest";
import { planItem } from "./plan";
import { eventIdFor } from "./sampling";

const settings = {
  secret: "k".repeat(32),
  sampleRate: 1,
  maxChars: 10,
  redact: true,
  source: "live" as const,
  now: new Date("2026-11-24T10:20:30Z"),
};

describe("planItem", () => {
  it("builds an anonymous payload: truncated text, facts, hour; no request id", () => {
    const planned = planItem(
      {
        requestId: "router-42",
        model: "openai/gpt-5",
        prompt: "abcdefghijklmnop",
        promptTokens: 3,
        costUsd: 0.5,
      },
      settings,
    );
    expect(planned).toEqual({
      sampled: true,
      eventId: eventIdFor(settings.secret, "router-42"),
      payload: {
        text: "abcdefghij",
        chars: 10,
        model: "openai/gpt-5",
        promptTokens: 3,
        completionTokens: null,
        costUsd: 0.5,
        observedHour: "2026-11-24T10:00:00.000Z",
        sampleRate: 1,
        source: "live",
        redacted: false,
        textFrom: "prompt",
      },
      redactions: {},
    });
    expect(JSON.stringify(planned)).not.toContain("router-42");
  });

  it("redacts before the cut, so a secret across MAX_CHARS leaves no piece behind, and flags it", () => {
    const item = { requestId: "r", model: "m", prompt: "key AKIAIOSFODNN7EXAMPLE", sampleRate: 1 };
    const on = planItem(item, { ...settings, maxChars: 12 });
    expect(on.sampled && on.payload).toMatchObject({ text: "key [KEY]", redacted: true });
    expect(on.sampled && on.redactions).toEqual({ key: 1 });
    const off = planItem(item, { ...settings, maxChars: 12, redact: false });
    expect(off.sampled && off.payload).toMatchObject({ text: "key AKIAIOSF", redacted: false });
  });

  it.each([
    { name: "rate 0 skips", item: {}, rate: 1e-12, sampled: false },
    {
      name: "router-sampled items are taken at their rate",
      item: { sampleRate: 0.01 },
      rate: 1e-12,
      sampled: true,
    },
    { name: "empty text is skipped", item: { prompt: "  " }, rate: 1, sampled: false },
  ])("$name", ({ item, rate, sampled }) => {
    const planned = planItem(
      { requestId: "r", model: "m", prompt: "hello", ...item },
      { ...settings, sampleRate: rate },
    );
    expect(planned.sampled).toBe(sampled);
    if (planned.sampled && "sampleRate" in item) expect(planned.payload.sampleRate).toBe(item.sampleRate);
  });

  it("uses createdAt for the observed hour and the source it is given", () => {
    const planned = planItem(
      { requestId: "r", model: "m", prompt: "x y z", createdAt: "2025-05-01T23:59:59Z" },
      { ...settings, source: "backfill" },
    );
    expect(planned.sampled && planned.payload).toMatchObject({
      observedHour: "2025-05-01T23:00:00.000Z",
      source: "backfill",
    });
  });
});
