import { describe, expect, it } from "vitest";
import { createHold } from "./hold";

// Each step: at time `at`, a call that began at `began` either failed or succeeded; `hold` is
// the delay the step asks for (0: the burst already holds the queue), `streak` the streak after.
type Step = { at: number; began: number; ok?: boolean; hold?: number; streak: number };

const table: { name: string; steps: Step[] }[] = [
  {
    name: "ten parallel 429s are one burst",
    steps: [
      { at: 100, began: 0, hold: 500, streak: 1 },
      ...Array.from({ length: 9 }, (_, i) => ({ at: 101 + i, began: i + 1, hold: 0, streak: 1 })),
    ],
  },
  {
    name: "a call begun after the rise that fails again is a new burst",
    steps: [
      { at: 100, began: 0, hold: 500, streak: 1 },
      { at: 700, began: 650, hold: 1000, streak: 2 },
      { at: 800, began: 660, hold: 0, streak: 2 },
      { at: 2000, began: 1800, hold: 2000, streak: 3 },
    ],
  },
  {
    name: "a success in the burst that raised the streak starts it over (partial refusals)",
    steps: [
      { at: 100, began: 0, hold: 500, streak: 1 },
      { at: 120, began: 50, ok: true, streak: 0 },
      { at: 700, began: 650, hold: 500, streak: 1 },
    ],
  },
  {
    name: "a success begun before the burst says nothing: bursts that all fail keep doubling",
    steps: [
      { at: 100, began: 0, hold: 500, streak: 1 },
      { at: 700, began: 650, hold: 1000, streak: 2 },
      { at: 750, began: 60, ok: true, streak: 2 }, // begun before the rise at 100
      { at: 1800, began: 1750, hold: 2000, streak: 3 },
    ],
  },
  {
    name: "a 50% storm: every burst has a success, so holds stay at the first step",
    steps: [
      { at: 100, began: 90, hold: 500, streak: 1 },
      { at: 105, began: 91, ok: true, streak: 0 },
      { at: 700, began: 650, hold: 500, streak: 1 },
      { at: 702, began: 651, ok: true, streak: 0 },
      { at: 1300, began: 1250, hold: 500, streak: 1 },
    ],
  },
  {
    name: "a success begun after the rise resets it",
    steps: [
      { at: 100, began: 0, hold: 500, streak: 1 },
      { at: 700, began: 650, ok: true, streak: 0 },
      { at: 900, began: 800, hold: 500, streak: 1 },
    ],
  },
  {
    name: "the hold is capped",
    steps: Array.from({ length: 12 }, (_, i) => ({
      at: 1000 * (i + 1),
      began: 1000 * (i + 1) - 1,
      hold: Math.min(8000, 1000 * 2 ** i) / 2,
      streak: i + 1,
    })),
  },
];

describe("createHold", () => {
  it.each(table)("$name", ({ steps }) => {
    let clock = 0;
    // random() = 0: the fixed half of the window only, so delays are exact
    const hold = createHold({ baseMs: 1000, maxMs: 8000, now: () => clock, random: () => 0 });
    for (const step of steps) {
      clock = step.at;
      if (step.ok) hold.succeeded(step.began);
      else expect(hold.failed(step.began)).toBe(step.hold);
      expect(hold.streak).toBe(step.streak);
    }
  });
});
