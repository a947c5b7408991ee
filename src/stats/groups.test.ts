import { describe, expect, it } from "vitest";
import { groupsOf } from "./groups";

describe("groupsOf", () => {
  it.each([
    [undefined, undefined, null],
    ["oss", undefined, ["oss-china", "oss-row"]],
    ["closed", undefined, ["closed-china", "closed-row"]],
    [undefined, "china", ["closed-china", "oss-china"]],
    [undefined, "row", ["closed-row", "oss-row"]],
    ["oss", "china", ["oss-china"]],
    ["closed", "row", ["closed-row"]],
  ] as const)("source %s, origin %s -> %j", (source, origin, groups) => {
    expect(groupsOf(source, origin)).toEqual(groups);
  });
});
