import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

// No function in src/ has more than 80 lines of its own (STYLE.md, issue 17): a longer one
// holds several steps that want names. A function's own lines are its span less the spans of
// the functions written inside it (a callback, a helper closure), which are measured alone.

const SRC = resolve(import.meta.dirname, "../src");
const MAX_OWN_LINES = 80;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return /\.ts$/.test(e.name) && !/\.(test|d)\.ts$/.test(e.name) ? [path] : [];
  });
}

interface Measured {
  name: string;
  line: number;
  own: number;
}

/** Pure: every function of one file with its own line count. */
function measureFunctions(fileName: string, text: string): Measured[] {
  const file = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const lineOf = (pos: number) => file.getLineAndCharacterOfPosition(pos).line;
  const span = (n: ts.Node) => lineOf(n.getEnd()) - lineOf(n.getStart(file)) + 1;
  const found: Measured[] = [];
  /** Visits `node`'s subtree; returns the lines taken by the outermost functions in it. */
  const visit = (node: ts.Node): number => {
    if (ts.isFunctionLike(node) && "body" in node && node.body) {
      const nested = sum(node.body);
      found.push({
        name: nameOf(node, file),
        line: lineOf(node.getStart(file)) + 1,
        own: span(node) - nested,
      });
      return span(node);
    }
    return sum(node);
  };
  const sum = (node: ts.Node): number => {
    let lines = 0;
    node.forEachChild((child) => {
      lines += visit(child);
    });
    return lines;
  };
  visit(file);
  return found;
}

function nameOf(node: ts.Node, file: ts.SourceFile): string {
  const named = node as { name?: ts.Node };
  if (named.name) return named.name.getText(file);
  const parent = node.parent;
  if (parent && ts.isVariableDeclaration(parent)) return parent.name.getText(file);
  if (parent && ts.isPropertyAssignment(parent)) return parent.name.getText(file);
  return "(anonymous)";
}

describe("function length in src/", () => {
  it(`no function has more than ${MAX_OWN_LINES} lines of its own`, () => {
    const tooLong = sourceFiles(SRC).flatMap((path) =>
      measureFunctions(path, readFileSync(path, "utf8"))
        .filter((f) => f.own > MAX_OWN_LINES)
        .map((f) => `${relative(SRC, path)}:${f.line} ${f.name} has ${f.own} lines of its own`),
    );
    expect(tooLong).toEqual([]);
  });
});

describe("the measure itself", () => {
  const body = (n: number) => Array.from({ length: n }, (_, i) => `  const x${i} = ${i};`).join("\n");
  it.each([
    ["a plain function: its whole span", `function f() {\n${body(3)}\n}`, [["f", 5]]],
    [
      "a nested arrow is measured alone and taken out of its parent",
      `export function outer() {\n${body(2)}\n  const inner = () => {\n${body(4)}\n  };\n}`,
      [
        ["outer", 4], // the line `const inner = () => {` is inner's
        ["inner", 6],
      ],
    ],
    [
      "methods and callbacks",
      `class C {\n  m() {\n${body(2)}\n    [1].map((v) => v);\n  }\n}`,
      [
        ["m", 4],
        ["(anonymous)", 1],
      ],
    ],
  ])("%s", (_name, text, expected) => {
    const measured = measureFunctions("x.ts", text).map((f) => [f.name, f.own]);
    expect(measured).toEqual(expect.arrayContaining(expected));
    expect(measured).toHaveLength(expected.length);
  });
});
