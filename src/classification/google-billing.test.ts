import { describe, expect, it } from "vitest";
import { billableUnits } from "./google-billing";

describe("billableUnits", () => {
  it.each([
    [0, 1],
    [1, 1],
    [999, 1],
    [1000, 1],
    [1001, 2],
    [2500, 3],
  ])("%i characters -> %i units", (chars, units) => {
    expect(billableUnits(chars)).toBe(units);
  });
});
