import { describe, expect, it } from "vitest";
import { ancestors, withParents } from "./categories";
import { loadCategoryList, loadTaxonomy } from "./load";
import { CATEGORIES, MAPPING_SCHEMES, mapPath, ruleMatches, UNKNOWN_TAG } from "./mapping";

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

describe.each(MAPPING_SCHEMES)("scheme %s", (scheme) => {
  const taxonomy = loadTaxonomy(scheme);

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

  it("every rule says what it rests on: a citation of the study, or the project's choice and why", () => {
    for (const rule of taxonomy.rules) {
      expect(Boolean(rule.cite) !== Boolean(rule.choice), `${rule.prefix}: cite or choice, one of them`).toBe(
        true,
      );
    }
  });

  it("its version names its scheme, so each event's mapping_version does", () => {
    expect(taxonomy.version.startsWith(`${scheme}/`)).toBe(true);
  });

  // The decisions the study's text forces, the same in both schemes.
  it.each([
    ["/Computers & Electronics/Programming/Other", "programming", "programming-other"],
    ["/Computers & Electronics/Programming/Development Tools", "programming", "development-tools"],
    ["/Computers & Electronics/Programming/Scripting Languages", "programming", "scripting-languages"],
    ["/Computers & Electronics/Programming/Java (Programming Language)", "programming", "programming-other"],
    ["/Games/Computer & Video Games/Video Game Development", "programming", "game-development"],
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
    [
      "/Computers & Electronics/Software/Business & Productivity Software",
      "technology",
      "productivity-software",
    ],
    [
      "/Business & Industrial/Business Services/Writing & Editing Services",
      "productivity-writing",
      "writing-editing",
    ],
    ["/Law & Government/Government/Other", "legal", "government"],
    ["/Law & Government/Legal/Other", "legal", "legal"],
    ["/Internet & Telecom/Web Services/Search Engine Optimization & Marketing", "marketing/seo", "seo"],
    ["/Business & Industrial/Advertising & Marketing/Marketing", "marketing", "marketing"],
    ["/Games/Roleplaying Games", "roleplay", "roleplaying-games"],
    ["/Books & Literature/Writers Resources", "creative-writing", "writers-resources"],
    ["/Adult", "adult", "adult"],
    ["/Reference/Language Resources/Foreign Language Resources", "translation", "foreign-language-resources"],
    ["/Reference/General Reference/Dictionaries & Encyclopedias", "general-qa", "general-reference"],
    ["/Jobs & Education/Education/Colleges & Universities", "education", "education"],
    ["/Jobs & Education/Education/Academic Conferences & Publications", "academia", "academic-publishing"],
    ["/People & Society/Social Sciences/Psychology", "others", "people-and-society"],
    ["/Reference/Humanities/History", "others", "reference"],
    ["/Jobs & Education/Jobs/Resumes & Portfolios", "others", "jobs-and-education"],
    ["/Business & Industrial/Business Operations/Management", "others", "business-and-industrial"],
    ["/Online Communities/Dating & Personals", "others", "online-communities"],
    ["/Arts & Entertainment/Movies/Horror Films", "creative-writing", "narrative-genres"],
    ["/Arts & Entertainment/Movies/Action & Adventure Films", "creative-writing", "narrative-genres"],
    ["/Arts & Entertainment/Movies/Comedy Films", "creative-writing", "narrative-genres"],
    ["/Arts & Entertainment/Movies/Documentary Films", "others", "arts-and-entertainment"],
    ["/Finance/Investing", "finance", "finance"],
    ["/Health/Mental Health", "health", "health"],
    ["/Arts & Entertainment/Fun & Trivia/Other", "trivia", "fun-trivia"],
    ["/Travel", "others", "travel-v1"],
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

describe("where the schemes differ", () => {
  const study = loadTaxonomy("study-2025");
  const extended = loadTaxonomy("extended");
  it.each([
    // News counts as General Q&A only "when the intent is factual lookup" (§2.2)
    ["/News/Business News/Economy News", "others", "general-qa"],
    ["/Arts & Entertainment/Comics & Animation/Anime & Manga", "others", "roleplay"],
    ["/Internet & Telecom/Web Services/Web Design & Development", "technology", "programming"],
    ["/Beauty & Fitness/Fitness", "others", "health"],
    ["/Internet & Telecom/Email & Messaging", "technology", "productivity-writing"],
  ])("%s: study-2025 %s, extended %s", (path, inStudy, inExtended) => {
    expect(mapPath(study, path).category).toBe(inStudy);
    expect(mapPath(extended, path).category).toBe(inExtended);
  });

  it("every rule of study-2025 is in extended, except where extended is richer", () => {
    const ext = new Map(extended.rules.map((r) => [r.prefix, r.category]));
    const differ = study.rules.filter((r) => ext.get(r.prefix) !== r.category).map((r) => r.prefix);
    expect(differ).toEqual(["/News"]);
  });
});

describe("README", () => {
  it.each(MAPPING_SCHEMES)(
    "shows %s's category table, generated from config (`npx census taxonomy --mapping <scheme>` refreshes it)",
    async (scheme) => {
      const { readFileSync } = await import("node:fs");
      const { renderCategoryTable } = await import("./table");
      const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
      expect(readme).toContain(renderCategoryTable(loadTaxonomy(scheme)));
    },
  );
});
