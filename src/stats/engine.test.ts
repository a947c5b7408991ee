import { describe, expect, it } from "vitest";
import { engineNotes, engineNotice } from "./engine";

describe("engineNotes", () => {
  it.each([
    // engine, named in the request, the notes' openings
    ["google", true, []],
    ["google", false, ["No engine was named: answering from `google`"]],
    ["emulator", true, ["Engine emulator: "]],
    ["emulator", false, ["No engine was named: answering from `emulator`", "Engine emulator: "]],
    ["synthetic", true, ["Engine synthetic: demo data"]],
    ["synthetic", false, ["No engine was named: answering from `synthetic`", "Engine synthetic: demo data"]],
  ] as const)("%s, named %s", (engine, named, openings) => {
    const notes = engineNotes(engine, named);
    expect(notes.map((n, i) => n.slice(0, openings[i]?.length))).toEqual(openings);
  });

  it("only the emulator's and generated numbers carry a notice, in ASCII (it is sent as a header)", () => {
    expect(engineNotice("google")).toBeNull();
    for (const e of ["emulator", "synthetic"]) expect(engineNotice(e)).toMatch(/^[\x20-\x7e]+$/);
  });
});
