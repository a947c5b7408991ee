import { describe, expect, it } from "vitest";
import { ancestors, withParents } from "./categories";
import { loadCategoryList, loadTaxonomy } from "./load";
import { mapPath, ruleMatches, UNKNOWN_TAG } from "./mapping";

const taxonomy = loadTaxonomy();
const v2Leaves = loadCategoryList("google/content-categories-v2.txt");
const v2All = withParents(v2Leaves);

describe("category list", () => {
  it("holds the 1,091 V2 leaves and 197 unlisted parents", () => {
    expect(v2Leaves).toHaveLength(1091);
    const parents = [...v2All].filter((p) => !v2Leaves.includes(p));
    expect(parents).toHaveLength(197);
  });

  it("ancestors lists every proper prefix", () => {
    expect(ancestors("/A/B/C")).toEqual(["/A", "/A/B"]);
    expect(ancestors("/Adult")).toEqual([]);
  });
});

describe("mapping coverage", () => {
  it("maps every V2 leaf and parent to exactly one known category and tag", () => {
    const categories = new Set(taxonomy.rules.map((r) => r.category));
    for (const path of v2All) {
      const matching = taxonomy.rules.filter((r) => ruleMatches(r.prefix, path));
      expect(matching.length, path).toBeGreaterThan(0);
      const mapped = mapPath(taxonomy, path);
      expect(mapped.known, path).toBe(true);
      // exactly one: the first matching rule, and it is the one mapPath reports
      expect(mapped, path).toEqual({ category: matching[0]?.category, tag: matching[0]?.tag, known: true });
      expect(categories.has(mapped.category)).toBe(true);
      expect(mapped.tag).not.toBe(UNKNOWN_TAG);
    }
  });

  it("names only real paths in its rules (no typos)", () => {
    for (const rule of taxonomy.rules) {
      if (rule.prefix !== "/") expect(v2All.has(rule.prefix), rule.prefix).toBe(true);
    }
  });

  it("has no rule shadowed by an earlier, more general one", () => {
    taxonomy.rules.forEach((rule, i) => {
      const earlier = taxonomy.rules.slice(0, i).find((r) => ruleMatches(r.prefix, rule.prefix));
      expect(earlier, `${rule.prefix} is unreachable behind ${earlier?.prefix}`).toBeUndefined();
    });
  });

  it("gives each tag a single category", () => {
    const byTag = new Map<string, string>();
    for (const r of taxonomy.rules) {
      expect(byTag.get(r.tag) ?? r.category, r.tag).toBe(r.category);
      byTag.set(r.tag, r.category);
    }
  });

  it("covers the study's categories", () => {
    const categories = new Set(taxonomy.rules.map((r) => r.category));
    for (const c of [
      "programming",
      "roleplay",
      "translation",
      "general-qa",
      "productivity-writing",
      "education",
      "creative-writing",
      "adult",
      "others",
    ]) {
      expect(categories.has(c), c).toBe(true);
    }
  });
});

describe("the study's named paths", () => {
  it.each([
    ["/Computers & Electronics/Programming/Other", "programming", "programming-other"],
    ["/Computers & Electronics/Programming/Development Tools", "programming", "development-tools"],
    ["/Computers & Electronics/Programming/Scripting Languages", "programming", "scripting-languages"],
    ["/Computers & Electronics/Programming", "programming", "programming-other"],
    [
      "/Science/Computer Science/Machine Learning & Artificial Intelligence",
      "programming",
      "computer-science",
    ],
    ["/Games/Roleplaying Games", "roleplay", "roleplaying-games"],
    ["/Books & Literature/Writers Resources", "creative-writing", "writers-resources"],
    ["/Adult", "adult", "adult"],
    ["/Reference/Language Resources/Foreign Language Resources", "translation", "foreign-language-resources"],
    ["/Reference/General Reference/Dictionaries & Encyclopedias", "general-qa", "general-reference"],
    ["/News/Business News/Economy News", "general-qa", "news"],
    [
      "/Computers & Electronics/Software/Business & Productivity Software",
      "productivity-writing",
      "productivity-software",
    ],
    [
      "/Business & Industrial/Business Services/Writing & Editing Services",
      "productivity-writing",
      "writing-editing",
    ],
    ["/Jobs & Education/Education/Homeschooling", "education", "education"],
    ["/Sports/Team Sports/American Football", "others", "other"],
  ])("%s -> %s / %s", (path, category, tag) => {
    expect(mapPath(taxonomy, path)).toEqual({ category, tag, known: true });
  });

  it.each(["/Made Up/Path", "/Computers & Electronics/Programming/Rust", "not-a-path"])(
    "unknown path %s maps to others and is flagged",
    (path) => {
      expect(mapPath(taxonomy, path)).toEqual({ category: "others", tag: UNKNOWN_TAG, known: false });
    },
  );
});
