import { describe, expect, it } from "vitest";
import { loadTaxonomy } from "../taxonomy/load";
import { decisionRuleOf, requestCategory, tagLabels } from "./labels";

const taxonomy = loadTaxonomy();
const PROG = "/Computers & Electronics/Programming/Other";
const RP = "/Games/Roleplaying Games";
const ADULT = "/Adult";

describe("tagLabels + requestCategory", () => {
  it.each([
    { name: "no labels", labels: [], paths: [], category: "others" },
    {
      name: "all below threshold",
      labels: [{ name: PROG, confidence: 0.49 }],
      paths: [],
      category: "others",
    },
    {
      name: "exactly the threshold is kept",
      labels: [{ name: PROG, confidence: 0.5 }],
      paths: [PROG],
      category: "programming",
    },
    {
      name: "highest confidence decides the category; all kept labels are tags",
      labels: [
        { name: ADULT, confidence: 0.6 },
        { name: RP, confidence: 0.9 },
        { name: PROG, confidence: 0.3 },
      ],
      paths: [RP, ADULT],
      category: "roleplay",
    },
    {
      name: "repeated path keeps its best confidence once",
      labels: [
        { name: PROG, confidence: 0.7 },
        { name: PROG, confidence: 0.8 },
      ],
      paths: [PROG],
      category: "programming",
    },
    {
      name: "unknown path goes to others",
      labels: [{ name: "/Nope", confidence: 0.9 }],
      paths: ["/Nope"],
      category: "others",
    },
  ])("$name", ({ labels, paths, category }) => {
    const tagged = tagLabels(taxonomy, labels, 0.5);
    expect(tagged.map((t) => t.path)).toEqual(paths);
    expect(requestCategory(tagged)).toBe(category);
  });

  it("carries each label's own tag and category", () => {
    const [rp, adult] = tagLabels(
      taxonomy,
      [
        { name: RP, confidence: 0.9 },
        { name: ADULT, confidence: 0.6 },
      ],
      0.5,
    );
    expect(rp).toMatchObject({ tag: "roleplaying-games", category: "roleplay", confidence: 0.9 });
    expect(adult).toMatchObject({ tag: "adult", category: "adult", confidence: 0.6 });
  });
});

describe("decision rule", () => {
  const PSYCH = "/People & Society/Social Sciences/Psychology"; // maps to others in both schemes
  const EDU = "/Jobs & Education/Education/Colleges & Universities";
  it.each([
    { name: "others outranks a weaker named label", rule: "most-confident", category: "others" },
    { name: "others outranks a weaker named label", rule: "prefer-named", category: "education" },
  ] as const)("$rule: $name -> $category", ({ rule, category }) => {
    const tagged = tagLabels(
      taxonomy,
      [
        { name: PSYCH, confidence: 0.8 },
        { name: EDU, confidence: 0.55 },
      ],
      0.5,
    );
    expect(requestCategory(tagged, rule)).toBe(category);
  });
  it.each(["most-confident", "prefer-named"] as const)("%s: only others labels give others", (rule) => {
    expect(requestCategory(tagLabels(taxonomy, [{ name: PSYCH, confidence: 0.9 }], 0.5), rule)).toBe(
      "others",
    );
    expect(requestCategory([], rule)).toBe("others");
  });
  it("study-2025 keeps the study's rule; extended prefers a named category", () => {
    expect(decisionRuleOf({ scheme: "study-2025" })).toBe("most-confident");
    expect(decisionRuleOf({ scheme: "extended" })).toBe("prefer-named");
  });
});
