// Google publishes leaves only, but the V2 model also returns their parents (e.g. `/Science`
// beside `/Science/Astronomy`), so the set of paths we accept is the leaves plus every ancestor.

export function parseCategoryList(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.startsWith("/"));
}

export function ancestors(path: string): string[] {
  const parts = path.split("/").filter(Boolean);
  const out: string[] = [];
  for (let i = 1; i < parts.length; i++) out.push(`/${parts.slice(0, i).join("/")}`);
  return out;
}

export function withParents(leaves: readonly string[]): Set<string> {
  const all = new Set<string>();
  for (const leaf of leaves) {
    all.add(leaf);
    for (const parent of ancestors(leaf)) all.add(parent);
  }
  return all;
}
