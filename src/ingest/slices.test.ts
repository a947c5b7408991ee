import { describe, expect, it } from "vitest";
import { eachInSlices } from "./slices";

describe("eachInSlices", () => {
  it.each([
    { name: "a pause first, then one a slice of work", itemMs: 1, sliceMs: 5, items: 12, pauses: 3 },
    { name: "each item a slice: a pause before each", itemMs: 6, sliceMs: 5, items: 4, pauses: 4 },
    { name: "all within one slice: the first pause only", itemMs: 0, sliceMs: 5, items: 100, pauses: 1 },
    { name: "no items: no pause", itemMs: 0, sliceMs: 5, items: 0, pauses: 0 },
    // `since`: the caller's own work counts in the first slice
    {
      name: "a caller that just began: no pause first",
      itemMs: 1,
      sliceMs: 5,
      items: 12,
      pauses: 2,
      since: 0,
    },
    {
      name: "a caller that used its slice: a pause first",
      itemMs: 0,
      sliceMs: 5,
      items: 3,
      pauses: 1,
      since: -5,
    },
    {
      name: "one cheap item, fresh caller: no pause at all",
      itemMs: 0,
      sliceMs: 5,
      items: 1,
      pauses: 0,
      since: 0,
    },
  ])("$name", async ({ itemMs, sliceMs, items, pauses, since }) => {
    let clock = 0;
    const order: string[] = [];
    await eachInSlices(
      Array.from({ length: items }, (_, i) => i),
      (i) => {
        clock += itemMs;
        order.push(`item ${i}`);
      },
      {
        sliceMs,
        now: () => clock,
        pause: async () => order.push("pause"),
        ...(since === undefined ? {} : { since }),
      },
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
