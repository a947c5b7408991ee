import { describe, expect, it } from "vitest";
import { AppError } from "../platform/errors";
import { batchItems, judgeItems } from "./accept";

const ok = (id: string, extra: object = {}) => ({ requestId: id, model: "m", prompt: "hello", ...extra });

describe("judgeItems", () => {
  it.each([
    ["all valid", [ok("a"), ok("b")], ["a", "b"], []],
    [
      "a bad one between good ones",
      [ok("a"), ok("b", { model: "" }), ok("c")],
      ["a", "c"],
      [[1, "prompts.1.model"]],
    ],
    ["not an object", [null, ok("b")], ["b"], [[0, "prompts.0"]]],
    ["both prompt and messages", [ok("a", { messages: [] })], [], [[0, "prompts.0.prompt"]]],
    [
      "under the operator's floor",
      [ok("a", { sampleRate: 1e-7 }), ok("b", { sampleRate: 1e-6 })],
      ["b"],
      [[0, "prompts.0.sampleRate"]],
    ],
    [
      "all bad",
      [{}, 5],
      [],
      [
        [0, "prompts.0.requestId"],
        [1, "prompts.1"],
      ],
    ],
  ] as const)("%s", (_name, raw, validIds, rejected) => {
    const judged = judgeItems(raw, 1e-6);
    expect(judged.valid.map((v) => v.requestId)).toEqual(validIds);
    expect(judged.rejected.map((r) => [r.index, r.errors?.[0]?.path])).toEqual(rejected);
    for (const r of judged.rejected) {
      expect(r).toMatchObject({ status: 400, code: "VALIDATION_FAILED", title: expect.any(String) });
      expect(r.detail).toContain(`prompts.${r.index}`);
    }
  });

  it("lists at most 20 field errors for one item", () => {
    const messages = Array.from({ length: 500 }, () => ({ role: 5 }));
    const [r] = judgeItems([{ requestId: "a", model: "m", messages }], 1e-6).rejected;
    expect(r?.errors).toHaveLength(20);
    expect(r?.detail).toMatch(/\(and 19 more\)$/);
  });
});

describe("batchItems", () => {
  it.each([
    ["one item", [ok("a")]],
    ["the most a batch holds", Array.from({ length: 1000 }, (_, i) => ok(`r${i}`))],
    ["items not yet judged", [null, 5, ok("c")]],
  ])("%s: the body's own array, not a copy", (_name, prompts) => {
    const body = { prompts, other: "ignored" };
    expect(batchItems(body)).toBe(prompts);
  });

  it.each([
    ["no prompts", {}, "prompts"],
    ["prompts not an array", { prompts: { 0: ok("a") } }, "prompts"],
    ["an empty batch", { prompts: [] }, "prompts"],
    ["over 1,000 items", { prompts: Array.from({ length: 1001 }, (_, i) => ok(`r${i}`)) }, "prompts"],
  ])("%s: the envelope's 400", (_name, body, path) => {
    const error = (() => {
      try {
        batchItems(body);
      } catch (err) {
        return err;
      }
    })();
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: "VALIDATION_FAILED", errors: [expect.objectContaining({ path })] });
  });
});
