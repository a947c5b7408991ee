import { describe, expect, it } from "vitest";
import { eachInSlices } from "./slices";

describe("eachInSlices", () => {
  it.each([
    { name: "a pause first, then one a slice of work", itemMs: 1, sliceMs: 5, items: 12, pauses: 3 },
    { name: "each item a slice: a pause before each", itemMs: 6, sliceMs: 5, items: 4, pauses: 4 },
    { name: "all within one slice: the first pause only", itemMs: 0, sliceMs: 5, items: 100, pauses: 1 },
    { name: "no items: no pause", itemMs: 0, sliceMs: 5, items: 0, pauses: 0 },
  ])("$name", async ({ itemMs, sliceMs, items, pauses }) => {
    let clock = 0;
    const order: string[] = [];
    await eachInSlices(
      Array.from({ length: items }, (_, i) => i),
      (i) => {
        clock += itemMs;
        order.push(`item ${i}`);
      },
      { sliceMs, now: () => clock, pause: async () => order.push("pause") },
    );
    expect(order.filter((o) => o === "pause")).toHaveLength(pauses);
    expect(order.filter((o) => o !== "pause")).toEqual(Array.from({ length: items }, (_, i) => `item ${i}`));
  });

  it("lets timers run between slices", async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    try {
      let seenTicks = 0;
      await eachInSlices(
        Array.from({ length: 20 }, (_, i) => i),
        () => {
          seenTicks = Math.max(seenTicks, ticks);
          const until = performance.now() + 2;
          while (performance.now() < until); // 2 ms of work an item
        },
        { sliceMs: 1 },
      );
      expect(seenTicks).toBeGreaterThan(0);
    } finally {
      clearInterval(timer);
    }
  });
});
