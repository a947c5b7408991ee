import { describe, expect, it } from "vitest";
import { type Judged, scoreJudged } from "./score";

const c = (expected: string, predicted: string, labelled = true): Judged => ({
  expected,
  outcome: "classified",
  predicted,
  labelled,
});

describe("scoreJudged", () => {
  it.each([
    {
      name: "all right",
      judged: [c("programming", "programming"), c("translation", "translation")],
      agreement: 1,
      confusion: { programming: { programming: 1 }, translation: { translation: 1 } },
    },
    {
      name: "one of four wrong",
      judged: [
        c("programming", "programming"),
        c("programming", "programming"),
        c("programming", "others"),
        c("education", "education"),
      ],
      agreement: 0.75,
      confusion: { programming: { programming: 2, others: 1 }, education: { education: 1 } },
    },
    {
      name: "refused, too short and empty texts are not scored",
      judged: [
        c("roleplay", "roleplay"),
        { expected: "roleplay", outcome: "unsupported_language", predicted: null, labelled: false },
        { expected: "roleplay", outcome: "too_short", predicted: null, labelled: false },
        { expected: "roleplay", outcome: "no_text", predicted: null, labelled: false },
      ],
      agreement: 1,
      confusion: { roleplay: { roleplay: 1 } },
    },
    { name: "nothing scored", judged: [], agreement: null, confusion: {} },
  ] satisfies { name: string; judged: Judged[]; agreement: number | null; confusion: object }[])(
    "$name",
    ({ judged, agreement, confusion }) => {
      const r = scoreJudged(judged);
      expect(r.agreement).toBe(agreement);
      expect(r.confusion).toEqual(confusion);
    },
  );

  it("precision, recall and support per category", () => {
    const r = scoreJudged([
      c("programming", "programming"),
      c("programming", "others"),
      c("others", "programming"),
      c("education", "programming"),
    ]);
    expect(r.perCategory).toEqual({
      programming: { precision: 1 / 3, recall: 0.5, support: 2 },
      education: { precision: null, recall: 0, support: 1 },
      others: { precision: 0, recall: 0, support: 1 },
    });
  });

  it("says what the other decision rule would change", () => {
    const r = scoreJudged([
      { ...c("education", "others"), otherRule: "education" },
      { ...c("programming", "programming"), otherRule: "programming" },
    ]);
    expect(r.agreement).toBe(0.5);
    expect(r.otherRule).toEqual({ changed: 1, agreement: 1 });
  });

  it("counts coverage by outcome, and classified texts with no label", () => {
    const r = scoreJudged([
      c("programming", "others", false),
      c("programming", "programming"),
      { expected: "translation", outcome: "unsupported_language", predicted: null, labelled: false },
      { expected: "translation", outcome: "invalid", predicted: null, labelled: false },
    ]);
    expect(r.n).toBe(4);
    expect(r.scored).toBe(2);
    expect(r.coverage).toEqual({
      classified: 2,
      noLabel: 1,
      refusedLanguage: 1,
      tooShort: 0,
      invalid: 1,
      noText: 0,
    });
  });
});
