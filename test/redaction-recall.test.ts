import { readFileSync } from "node:fs";
import { isValidPhoneNumber } from "libphonenumber-js/min";
import { describe, expect, it } from "vitest";
import { detect, ibanValid, luhnValid, type RedactionKind, redactionKinds } from "../src/redaction/redact";
import { BENIGN_SET, type Case, RECALL_SET } from "./redaction-set/cases";

// Redaction's recall and false positives, per kind, on the public set in test/redaction-set/:
// a value counts as found when one span of its kind covers all of it; a benign text counts as
// a false positive of every kind found in it. Below the goal for any kind, the test fails and
// names the misses. The README shows the table this test renders, and this test checks that it
// does (copy the table from the failure's diff when the figures move).

const GOAL = { recall: 0.95, falsePositives: 0.01 };

interface Row {
  kind: RedactionKind;
  found: number;
  misses: Case[];
  falsePositives: string[];
}

function measure(): Row[] {
  const benign = BENIGN_SET.map((text) => ({ text, kinds: new Set(detect(text).map((s) => s.kind)) }));
  return redactionKinds.map((kind) => {
    const misses = RECALL_SET[kind].filter(({ text, value }) => {
      const at = text.indexOf(value);
      return !detect(text).some((s) => s.kind === kind && s.start <= at && s.end >= at + value.length);
    });
    return {
      kind,
      found: RECALL_SET[kind].length - misses.length,
      misses,
      falsePositives: benign.filter((b) => b.kinds.has(kind)).map((b) => b.text),
    };
  });
}

const percent = (n: number, of: number) => `${((100 * n) / of).toFixed(1)}%`;

function renderRecallTable(rows: Row[]): string {
  const cases = (kind: RedactionKind) => RECALL_SET[kind].length;
  return [
    `<!-- redaction-recall: measured by test/redaction-recall.test.ts on test/redaction-set/cases.ts -->`,
    `| kind | values | recall | false positives in ${BENIGN_SET.length} benign texts |`,
    "|---|---:|---:|---:|",
    ...rows.map(
      (r) =>
        `| ${r.kind} | ${cases(r.kind)} | ${percent(r.found, cases(r.kind))} | ${percent(r.falsePositives.length, BENIGN_SET.length)} (${r.falsePositives.length}) |`,
    ),
    "<!-- /redaction-recall -->",
  ].join("\n");
}

describe("the recall set", () => {
  it("holds several hundred values, each once in its text, each valid for its kind", () => {
    const all = Object.values(RECALL_SET).flat();
    expect(all.length).toBeGreaterThanOrEqual(300);
    expect(BENIGN_SET.length).toBeGreaterThanOrEqual(100);
    for (const { text, value } of all) expect(text.split(value)).toHaveLength(2);
    for (const { value } of RECALL_SET.card) expect(luhnValid(value.replace(/\D/g, "")), value).toBe(true);
    for (const { value } of RECALL_SET.iban) expect(ibanValid(value), value).toBe(true);
    for (const { value } of RECALL_SET.phone) {
      expect(isValidPhoneNumber(value.replace(/^(?:00|011 )/, "+"), "US"), value).toBe(true);
    }
  });
});

describe("redaction's recall and false positives", () => {
  const rows = measure();

  it(`finds at least ${GOAL.recall * 100}% of each kind, with at most ${GOAL.falsePositives * 100}% false positives`, () => {
    console.info(renderRecallTable(rows));
    const below = rows.flatMap((r) => {
      const n = RECALL_SET[r.kind].length;
      const problems: string[] = [];
      if (r.found / n < GOAL.recall) {
        problems.push(`${r.kind}: recall ${percent(r.found, n)}, missed ${JSON.stringify(r.misses)}`);
      }
      if (r.falsePositives.length / BENIGN_SET.length > GOAL.falsePositives) {
        problems.push(`${r.kind}: false positives in ${JSON.stringify(r.falsePositives)}`);
      }
      return problems;
    });
    expect(below).toEqual([]);
  });

  it("the README shows the table this test measures", () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    const shown = /<!-- redaction-recall[\s\S]*?<!-- \/redaction-recall -->/.exec(readme)?.[0];
    expect(shown).toBe(renderRecallTable(rows));
  });
});
