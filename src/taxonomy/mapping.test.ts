import { describe, expect, it } from "vitest";
import { ancestors, withParents } from "./categories";
import { loadCategoryList, loadTaxonomy } from "./load";
import { CATEGORIES, mapPath, ruleMatches, UNKNOWN_TAG } from "./mapping";

const taxonomy = loadTaxonomy();
const v2Leaves = loadCategoryList("google/content-categories-v2.txt");
const v2All = withParents(v2Leaves);
const v1 = loadCategoryList("google/content-categories-v1.txt");
const everyPath = new Set([...v2All, ...withParents(v1)]);

describe("category list", () => {
  it("holds the 1,091 V2 leaves and 197 unlisted parents", () => {
    expect(v2Leaves).toHaveLength(1091);
    const parents = [...v2All].filter((p) => !v2Leaves.includes(p));
    expect(parents).toHaveLength(197);
  });

  it("holds the 620 V1 paths", () => {
    expect(v1).toHaveLength(620);
  });

  it("ancestors lists every proper prefix", () => {
    expect(ancestors("/A/B/C")).toEqual(["/A", "/A/B"]);
    expect(ancestors("/Adult")).toEqual([]);
  });
});

describe("mapping coverage", () => {
  it("maps every V2 leaf and parent and every V1 path to exactly one known category and tag", () => {
    const categories = new Set<string>(CATEGORIES);
    expect(everyPath.size).toBeGreaterThan(1288);
    for (const path of everyPath) {
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
      expect(everyPath.has(rule.prefix), rule.prefix).toBe(true);
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

  it("uses every study category, and each through at least one real path", () => {
    const used = new Set([...everyPath].map((p) => mapPath(taxonomy, p).category));
    expect([...used].sort()).toEqual([...CATEGORIES].sort());
  });

  it("explains each rule that moves a path away from its Google top level's obvious home", () => {
    // rules for the long tail and for a category's own tree need no reason; cross-tree moves do
    const obvious: Record<string, string[]> = {
      programming: ["/Computers & Electronics/Programming"],
      roleplay: ["/Games/Roleplaying Games"],
      translation: ["/Reference/Language Resources"],
      "general-qa": ["/Reference"],
      education: [
        "/Jobs & Education/Education",
        "/Games/Educational Games",
        "/Computers & Electronics/Software/Educational Software",
      ],
      "creative-writing": ["/Books & Literature"],
      adult: ["/Adult"],
      finance: ["/Finance", "/Business & Industrial/Business Finance"],
      health: ["/Health"],
      science: ["/Science"],
      technology: ["/Computers & Electronics", "/Internet & Telecom"],
      legal: ["/Law & Government/Legal"],
      marketing: ["/Business & Industrial/Advertising & Marketing", "/Internet & Telecom/Web Services/"],
      academia: ["/Jobs & Education/Education/Academic"],
      trivia: ["/Arts & Entertainment/Fun & Trivia"],
      "productivity-writing": [
        "/Computers & Electronics/Software/Business & Productivity Software",
        "/Business & Industrial/Business Services/Writing & Editing Services",
      ],
      others: ["/"],
    };
    for (const rule of taxonomy.rules) {
      const plain = (obvious[rule.category] ?? []).some(
        (p) => rule.prefix.startsWith(p) || rule.prefix === p,
      );
      if (!plain && rule.category !== "others")
        expect(rule.reason, `${rule.prefix} needs a reason`).toBeTruthy();
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
      "science",
      "machine-learning-ai",
    ],
    ["/Science/Computer Science/Other", "programming", "computer-science"],
    [
      "/Computers & Electronics/Software/Intelligent Personal Assistants",
      "technology",
      "intelligent-assistants",
    ],
    ["/Law & Government/Government/Other", "legal", "government"],
    ["/Law & Government/Legal/Other", "legal", "legal"],
    ["/Business & Industrial/Advertising & Marketing/Marketing", "marketing", "marketing"],
    ["/Internet & Telecom/Web Services/Search Engine Optimization & Marketing", "marketing", "seo"],
    ["/Finance/Investing", "finance", "investing"],
    ["/Health/Mental Health", "health", "mental-health"],
    ["/Jobs & Education/Education/Colleges & Universities", "academia", "higher-education"],
    ["/Arts & Entertainment/Fun & Trivia/Other", "trivia", "fun-trivia"],
    ["/Travel", "others", "travel-v1"],
    ["/Computers & Electronics/Programming/Java (Programming Language)", "programming", "programming-other"],
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
    ["/Sports/Team Sports/American Football", "others", "sports"],
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

describe("README", () => {
  it("shows the category table generated from config (run `npx census taxonomy` to refresh it)", async () => {
    const { readFileSync } = await import("node:fs");
    const { renderCategoryTable } = await import("./table");
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    expect(readme).toContain(renderCategoryTable(taxonomy));
  });
});
