import { describe, expect, it } from "vitest";
import { sniffFormat } from "./source";

describe("sniffFormat", () => {
  it.each([
    ["logs.csv", "requestId,prompt", "csv"],
    ["logs.csv.gz", "", "csv"],
    ["logs.ndjson", "", "ndjson"],
    ["logs.jsonl.gz", "", "ndjson"],
    ["-", '  {"requestId": 1}\n', "ndjson"],
    ["-", '\n[ {"requestId": 1} ]', "json"],
    ["export.json", "", "json"],
    ["-", "requestId,prompt\n", "csv"],
  ])("%s starting %j -> %s", (name, head, format) => {
    expect(sniffFormat(name, Buffer.from(head))).toBe(format);
  });
});
