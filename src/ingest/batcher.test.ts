import { describe, expect, it } from "vitest";
import { createBatcher } from "./batcher";

/** A flush that records what it got and answers when `release()` is called. */
function gatedFlush() {
  const calls: number[][] = [];
  const gates: (() => void)[] = [];
  const flush = async (items: number[]) => {
    calls.push(items);
    await new Promise<void>((r) => gates.push(r));
    if (items.includes(-1)) throw new Error("refused");
    return items.map((i) => i * 10);
  };
  const release = () => gates.shift()?.();
  return { calls, flush, release };
}

describe("createBatcher", () => {
  it("flushes an idle submission at once and batches those that arrive meanwhile", async () => {
    const { calls, flush, release } = gatedFlush();
    const submit = createBatcher(flush);
    const a = submit([1, 2]);
    expect(calls).toEqual([[1, 2]]); // no timer: the first goes out before submit returns
    const b = submit([3]);
    const c = submit([4, 5]);
    release();
    expect(await a).toEqual([10, 20]);
    await Promise.resolve();
    expect(calls).toEqual([
      [1, 2],
      [3, 4, 5],
    ]);
    release();
    expect(await b).toEqual([30]);
    expect(await c).toEqual([40, 50]);
  });

  it.each([
    [2, [[1, 2], [3], [4, 5]]],
    [1, [[1, 2], [3], [4, 5]]], // one submission always goes, even over the cap
    [
      3,
      [
        [1, 2],
        [3, 4, 5],
      ],
    ],
  ])("caps a flush at %i items of whole submissions", async (maxItems, expected) => {
    const { calls, flush, release } = gatedFlush();
    const submit = createBatcher(flush, maxItems);
    const all = [submit([1, 2]), submit([3]), submit([4, 5])];
    for (let i = 0; i < 3; i++) {
      release();
      await new Promise((r) => setImmediate(r));
    }
    await Promise.all(all);
    expect(calls).toEqual(expected);
  });

  it("rejects every submitter of a failed flush, and the next flush goes on", async () => {
    const { flush, release } = gatedFlush();
    const submit = createBatcher(flush);
    const first = submit([0]);
    const bad = [submit([-1]), submit([7])];
    release();
    await first;
    release();
    for (const p of bad) await expect(p).rejects.toThrow("refused");
    const after = submit([8]);
    release();
    expect(await after).toEqual([80]);
  });
});
