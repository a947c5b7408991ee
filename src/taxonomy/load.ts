import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { fromRoot } from "../platform/paths";
import { parseCategoryList, withParents } from "./categories";
import { type MappingScheme, mappingFileSchema, type Taxonomy } from "./mapping";

export const CONFIG_DIR = fromRoot("config");

export function readConfigFile(relative: string): string {
  return readFileSync(`${CONFIG_DIR}/${relative}`, "utf8");
}

export function loadCategoryList(relative: string): string[] {
  return parseCategoryList(readConfigFile(relative));
}

export const mappingFile = (scheme: MappingScheme) => `mapping/${scheme}.json`;

/** Reads and validates a scheme's config/mapping/<scheme>.json and the category lists it names; throws on any defect. */
export function loadTaxonomy(scheme: MappingScheme = "study-2025"): Taxonomy {
  const text = readConfigFile(mappingFile(scheme));
  const parsed = mappingFileSchema.parse(JSON.parse(text));
  if (parsed.scheme !== scheme || !parsed.version.startsWith(`${scheme}/`)) {
    throw new Error(`${mappingFile(scheme)}: scheme must be "${scheme}" and version start with "${scheme}/"`);
  }
  const lists = parsed.categoryLists.map((list) => readConfigFile(list));
  return {
    scheme: parsed.scheme,
    version: parsed.version,
    // what the version stands for: the rules and the category lists they were checked against
    sha256: createHash("sha256").update(text).update(lists.join("\n")).digest("hex"),
    rules: parsed.rules,
    knownPaths: withParents(lists.flatMap(parseCategoryList)),
  };
}
