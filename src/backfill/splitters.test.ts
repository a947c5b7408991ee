import { describe, expect, it } from "vitest";
import { JsonArraySplitter, LineSplitter } from "./splitters";

function lines(chunks: string[], max = 100, start?: { offset: number; index: number }) {
  const s = new LineSplitter(max, start);
  const out: unknown[] = [];
  for (const c of chunks)
    for (const p of s.push(Buffer.from(c)))
      out.push(
        p.kind === "record" ? [p.index, p.bytes.toString(), p.endOffset] : [p.index, p.kind, p.endOffset],
      );
  for (const p of s.end())
    out.push(
      p.kind === "record" ? [p.index, p.bytes.toString(), p.endOffset] : [p.index, p.kind, p.endOffset],
    );
  return out;
}

describe("LineSplitter", () => {
  it.each([
    {
      name: "simple",
      chunks: ["a\nb\n"],
      out: [
        [1, "a", 2],
        [2, "b", 4],
      ],
    },
    {
      name: "split across chunks",
      chunks: ["ab", "c\nd", "e\n"],
      out: [
        [1, "abc", 4],
        [2, "de", 7],
      ],
    },
    {
      name: "CRLF",
      chunks: ["a\r\nb\r\n"],
      out: [
        [1, "a", 3],
        [2, "b", 6],
      ],
    },
    {
      name: "no final newline",
      chunks: ["a\nb"],
      out: [
        [1, "a", 2],
        [2, "b", 3],
      ],
    },
    {
      name: "blank lines counted, not emitted",
      chunks: ["a\n\n  \nb\n"],
      out: [
        [1, "a", 2],
        [4, "b", 8],
      ],
    },
    {
      name: "too long line, then recovery",
      chunks: ["x".repeat(50), "x".repeat(60), "\nok\n"],
      out: [
        [1, "too_long", 111],
        [2, "ok", 114],
      ],
    },
    {
      name: "multibyte kept whole",
      chunks: [Buffer.from("é\n").subarray(0, 1).toString("latin1")],
      out: [[1, "Ã", 2]],
    },
  ])("$name", ({ chunks, out }) => {
    expect(lines(chunks)).toEqual(out);
  });

  it("resumes numbering and offsets from a checkpoint", () => {
    expect(lines(["c\n"], 100, { offset: 10, index: 4 })).toEqual([[5, "c", 12]]);
  });

  it("splits a multibyte character across chunks correctly", () => {
    const s = new LineSplitter(100);
    const bytes = Buffer.from("h€llo\n");
    const out = [...s.push(bytes.subarray(0, 2)), ...s.push(bytes.subarray(2))];
    expect(out.map((p) => (p.kind === "record" ? p.bytes.toString() : p.kind))).toEqual(["h€llo"]);
  });
});

function elements(chunks: string[], max = 100) {
  const s = new JsonArraySplitter(max);
  const out: unknown[] = [];
  const take = (p: { kind: string; index?: number; bytes?: Buffer; reason?: string }) =>
    out.push(
      p.kind === "record"
        ? [p.index, p.bytes?.toString().trim()]
        : p.kind === "malformed"
          ? ["malformed", p.reason]
          : [p.index, p.kind],
    );
  for (const c of chunks) for (const p of s.push(Buffer.from(c))) take(p);
  for (const p of s.end()) take(p);
  return out;
}

describe("JsonArraySplitter", () => {
  it.each([
    {
      name: "objects",
      chunks: ['[{"a":1},{"b":[1,2]}]'],
      out: [
        [1, '{"a":1}'],
        [2, '{"b":[1,2]}'],
      ],
    },
    {
      name: "commas and brackets inside strings",
      chunks: ['[{"t":"a,]b\\"}"}, 3]'],
      out: [
        [1, '{"t":"a,]b\\"}"}'],
        [2, "3"],
      ],
    },
    {
      name: "split anywhere",
      chunks: ['[ {"a"', ':1} , {"b":', "2}", " ]"],
      out: [
        [1, '{"a":1}'],
        [2, '{"b":2}'],
      ],
    },
    { name: "empty array", chunks: ["[ ]"], out: [] },
    {
      name: "not an array",
      chunks: ['{"a":1}'],
      out: [
        ["malformed", "input is not a JSON array"],
        ["malformed", "JSON array is not closed"],
      ],
    },
    {
      name: "unclosed",
      chunks: ['[{"a":1},'],
      out: [
        [1, '{"a":1}'],
        ["malformed", "JSON array is not closed"],
      ],
    },
    {
      name: "too long element",
      chunks: [`[{"a":"${"x".repeat(200)}"},{"b":1}]`],
      out: [
        [1, "too_long"],
        [2, '{"b":1}'],
      ],
    },
  ])("$name", ({ chunks, out }) => {
    expect(elements(chunks)).toEqual(out);
  });
});
