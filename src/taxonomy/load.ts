import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { fromRoot } from "../platform/paths";
import { parseCategoryList, withParents } from "./categories";
import { mappingFileSchema, type Taxonomy } from "./mapping";

export const CONFIG_DIR = fromRoot("config");

export function readConfigFile(relative: string): string {
  return readFileSync(`${CONFIG_DIR}/${relative}`, "utf8");
}

export function loadCategoryList(relative: string): string[] {
  return parseCategoryList(readConfigFile(relative));
}

/** Reads and validates config/mapping.json and the category list it names; throws on any defect. */
export function loadTaxonomy(file = "mapping.json"): Taxonomy {
  const text = readConfigFile(file);
  const parsed = mappingFileSchema.parse(JSON.parse(text));
  const lists = parsed.categoryLists.map((list) => readConfigFile(list));
  return {
    version: parsed.version,
    // what the version stands for: the rules and the category lists they were checked against
    sha256: createHash("sha256").update(text).update(lists.join("\n")).digest("hex"),
    rules: parsed.rules,
    knownPaths: withParents(lists.flatMap(parseCategoryList)),
  };
}
