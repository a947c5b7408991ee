import { describe, expect, it } from "vitest";
import { ConnectionTable } from "./connections";

type Step = ["open", string, string | undefined] | ["start" | "end" | "close", string];

// Each case: steps on a table of 2, and what each `open` closes (undefined: nothing; itself: refused).
const cases: [string, Step[]][] = [
  [
    "room left: nothing closes",
    [
      ["open", "a", undefined],
      ["open", "b", undefined],
    ],
  ],
  [
    "full of idle: the longest-idle one goes",
    [
      ["open", "a", undefined],
      ["open", "b", undefined],
      ["open", "c", "a"],
    ],
  ],
  [
    "a connection serving a request is never closed for a newcomer",
    [
      ["open", "a", undefined],
      ["open", "b", undefined],
      ["start", "a"],
      ["open", "c", "b"],
      ["open", "d", "c"],
    ],
  ],
  [
    "every one busy: the newcomer is refused",
    [
      ["open", "a", undefined],
      ["open", "b", undefined],
      ["start", "a"],
      ["start", "b"],
      ["open", "c", "c"],
    ],
  ],
  [
    "a keep-alive that just finished is idle since then, not since it opened",
    [
      ["open", "a", undefined],
      ["open", "b", undefined],
      ["start", "a"],
      ["end", "a"],
      ["open", "c", "b"],
    ],
  ],
  [
    "pipelined requests: busy until the last one ends",
    [
      ["open", "a", undefined],
      ["open", "b", undefined],
      ["start", "a"],
      ["start", "a"],
      ["end", "a"],
      ["start", "b"],
      ["open", "c", "c"],
    ],
  ],
  [
    "a closed connection frees its slot",
    [
      ["open", "a", undefined],
      ["open", "b", undefined],
      ["close", "a"],
      ["open", "c", undefined],
    ],
  ],
];

describe("ConnectionTable (HTTP_MAX_CONNECTIONS = 2)", () => {
  it.each(cases)("%s", (_name, steps) => {
    const table = new ConnectionTable<string>(2);
    for (const step of steps) {
      if (step[0] === "open") expect(table.open(step[1]), `open ${step[1]}`).toBe(step[2]);
      else if (step[0] === "start") table.requestStarted(step[1]);
      else if (step[0] === "end") table.requestEnded(step[1]);
      else table.close(step[1]);
    }
    expect(table.size).toBeLessThanOrEqual(2);
  });
});
