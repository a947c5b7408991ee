import { describe, expect, it } from "vitest";
import { formatOf, parseLabelled } from "./input";

describe("parseLabelled", () => {
  it.each([
    {
      name: "JSONL with and without ids",
      path: "set.jsonl",
      content:
        '{"text":"fix my code","expected":"programming","id":"a1"}\n\n{"text":"hola","expected":"translation"}\n',
      out: [
        { text: "fix my code", expected: "programming", id: "a1" },
        { text: "hola", expected: "translation" },
      ],
    },
    {
      name: "CSV with a quoted comma and a BOM",
      path: "set.csv",
      content: '\uFEFFid,text,expected\n1,"write a poem, please",creative-writing\n',
      out: [{ id: "1", text: "write a poem, please", expected: "creative-writing" }],
    },
  ])("$name", ({ path, content, out }) => {
    expect(parseLabelled(path, content)).toEqual(out);
  });

  it.each([
    ["an unknown category", "x.jsonl", '{"text":"t","expected":"cooking"}', /line 1: expected/],
    ["a line that is not JSON", "x.jsonl", "{nope", /line 1: not JSON/],
    ["no text column", "x.csv", "expected\nprogramming\n", /line 2: text/],
    ["an empty file", "x.jsonl", "\n", /no labelled texts/],
  ])("refuses %s, naming the line and never the text", (_, path, content, message) => {
    expect(() => parseLabelled(path, content)).toThrow(message);
  });

  it("sniffs the format when the extension says nothing", () => {
    expect(formatOf("labels.txt", ' {"text":"a"}')).toBe("jsonl");
    expect(formatOf("labels.txt", "text,expected")).toBe("csv");
  });
});
