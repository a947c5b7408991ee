import { describe, expect, it } from "vitest";
import { DEFAULT_FIELDS } from "./fields";
import { type PickSettings, pickRecord } from "./pick";

const settings: PickSettings = {
  fields: DEFAULT_FIELDS,
  since: new Date("2026-01-01T00:00:00Z"),
  until: new Date("2026-02-01T00:00:00Z"),
  secret: "s".repeat(32),
  sampleRate: 1,
  maxChars: 5,
};
const record = (o: Record<string, unknown> = {}) => ({
  requestId: "r1",
  model: "m",
  prompt: "Explain recursion",
  createdAt: "2026-01-15T10:00:00Z",
  ...o,
});

describe("pickRecord", () => {
  it.each([
    ["not an object", "x", settings, { kind: "bad", reason: "not_an_object" }],
    ["no id", record({ requestId: "" }), settings, { kind: "bad", reason: "missing_id" }],
    ["no text", record({ prompt: " " }), settings, { kind: "bad", reason: "no_text" }],
    ["before --since", record({ createdAt: "2025-12-31T23:59:59Z" }), settings, { kind: "filtered" }],
    ["at --until", record({ createdAt: "2026-02-01T00:00:00Z" }), settings, { kind: "filtered" }],
    ["no time with a window", record({ createdAt: undefined }), settings, { kind: "filtered" }],
    ["outside the sample", record(), { ...settings, sampleRate: 0 }, { kind: "skipped" }],
    [
      "sampled: text cut to MAX_CHARS",
      record(),
      settings,
      {
        kind: "sampled",
        item: expect.objectContaining({ requestId: "r1", prompt: "Expla" }),
      },
    ],
  ])("%s", (_name, value, s, expected) => {
    expect(pickRecord(value, s)).toEqual(expected);
  });
});
