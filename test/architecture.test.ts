import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

// Dependencies between the top-level units of src/ run one way (STYLE.md, issue 17): no two of
// them import each other, types included; platform/ imports no feature; the producers (ingest)
// and the worker (classification) meet only in queue/. A unit is a folder of src/, or a file
// directly in src/ (env.ts, deps.ts, app.ts, cli.ts, runtime.ts, vocabulary.ts). Tests are left
// out: a test may reach across units to check them.

const SRC = resolve(import.meta.dirname, "../src");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return /\.ts$/.test(e.name) && !/\.(test|d)\.ts$/.test(e.name) ? [path] : [];
  });
}

/** Pure: the unit a path inside src/ belongs to ("ingest/" for a folder, "env.ts" for a file). */
function unitOf(pathInSrc: string): string {
  const [first, ...rest] = pathInSrc.split(sep);
  return rest.length > 0 ? `${first}/` : (first ?? "").replace(/(\.ts)?$/, ".ts");
}

/**
 * Pure: "from -> to" for every import of one unit by another, each with the files that make it.
 * TypeScript's own scanner finds every form: `import type`, `export ... from`, `import()` calls
 * and `import("...").Type` in types; comments and strings are skipped.
 */
function unitEdges(files: { path: string; text: string }[]): Map<string, string[]> {
  const edges = new Map<string, string[]>();
  for (const { path, text } of files) {
    for (const { fileName } of ts.preProcessFile(text, true, true).importedFiles) {
      if (!fileName.startsWith(".")) continue; // a package
      const target = relative(SRC, resolve(dirname(join(SRC, path)), fileName));
      if (target.startsWith("..")) continue; // outside src/ (package.json)
      const [from, to] = [unitOf(path), unitOf(target)];
      if (from === to) continue;
      const key = `${from} -> ${to}`;
      edges.set(key, [...(edges.get(key) ?? []), `${path} imports ${fileName}`]);
    }
  }
  return edges;
}

/** Pure: each pair of units that import each other, with the imports that make the cycle. */
function mutualImports(edges: Map<string, string[]>): string[] {
  const found: string[] = [];
  for (const [key, why] of edges) {
    const [from, to] = key.split(" -> ") as [string, string];
    const back = edges.get(`${to} -> ${from}`);
    if (from < to && back) found.push(`${from} <-> ${to}: ${[...why, ...back].join("; ")}`);
  }
  return found;
}

const edges = unitEdges(
  sourceFiles(SRC).map((p) => ({ path: relative(SRC, p), text: readFileSync(p, "utf8") })),
);
const importsOf = (unit: string) =>
  [...edges]
    .filter(([key]) => key.startsWith(`${unit} -> `))
    .map(([key, why]) => `${key} (${why.join("; ")})`);

describe("the import graph of src/", () => {
  it("has no two top-level folders or files that import each other", () => {
    expect(mutualImports(edges)).toEqual([]);
  });

  it("keeps platform/ free of features: it imports nothing else in src/", () => {
    expect(importsOf("platform/")).toEqual([]);
  });

  it("has ingest (the producer) and classification (the worker) meet only in queue/", () => {
    expect(edges.get("ingest/ -> classification/")).toBeUndefined();
    expect(edges.get("classification/ -> ingest/")).toBeUndefined();
    expect(edges.has("ingest/ -> queue/") && edges.has("classification/ -> queue/")).toBe(true);
  });

  it("has queue/ (the job contract) depend only on platform/ and the shared vocabulary", () => {
    const allowed = new Set(["queue/ -> platform/", "queue/ -> vocabulary.ts"]);
    expect(importsOf("queue/").filter((e) => ![...allowed].some((a) => e.startsWith(a)))).toEqual([]);
  });

  it("has the shared vocabulary import nothing", () => {
    expect(importsOf("vocabulary.ts")).toEqual([]);
  });
});

describe("the checker itself", () => {
  it.each([
    ["ingest/service.ts", "ingest/"],
    ["env.ts", "env.ts"],
    ["deps", "deps.ts"],
    ["classification/google/client.ts", "classification/"],
  ])("%s belongs to %s", (path, unit) => {
    expect(unitOf(path.split("/").join(sep))).toBe(unit);
  });

  it("finds a cycle made by a type-only import and a lazy import() type", () => {
    const found = mutualImports(
      unitEdges([
        { path: join("a", "x.ts"), text: 'import type { T } from "../b/y";' },
        { path: join("b", "y.ts"), text: 'export type U = import("../a/x").V;' },
        { path: "c.ts", text: 'import { z } from "./a/x"; // import "./b/y"' },
      ]),
    );
    expect(found).toEqual([expect.stringMatching(/^a\/ <-> b\/: /)]);
  });
});
