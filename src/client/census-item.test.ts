import type { z } from "@hono/zod-openapi";
import fc from "fast-check";
import { describe, expect, expectTypeOf, it } from "vitest";
import { checkItem, LIMITS } from "../../packages/client/src/check";
import { AHEAD_MS, EARLIEST } from "../ingest/limits";
import { promptItemSchema } from "../ingest/schema";
import { MAX_COST_USD, MAX_MODEL_CHARS, MAX_TOKENS, MIN_SAMPLE_RATE } from "../vocabulary";
import type { CensusItem } from "./index";

// The router client has no dependencies, so it cannot import the ingest schema: it writes the
// item's shape and limits out. These checks tie the two (`npm run typecheck` runs the type-level
// ones): a field or limit changed on one side only fails here, not in a router in production.

type Accepted = z.input<typeof promptItemSchema>;

describe("the client's CensusItem", () => {
  it("has the ingest schema's fields, each of a type the schema accepts, and back", () => {
    expectTypeOf<keyof CensusItem>().toEqualTypeOf<keyof Accepted>();
    expectTypeOf<CensusItem>().toExtend<Accepted>();
    expectTypeOf<Accepted>().toExtend<CensusItem>();
  });

  const facts = {
    requestId: "r1",
    model: "openai/gpt-5",
    promptTokens: 3,
    completionTokens: 5,
    costUsd: 0.001,
    createdAt: "2026-01-01T00:00:00Z",
    sampleRate: 0.5,
  } satisfies CensusItem;

  it.each<[string, CensusItem]>([
    ["a prompt", { ...facts, prompt: "hello" }],
    ["messages", { ...facts, messages: [{ role: "user", content: [{ type: "text", text: "hello" }] }] }],
  ])("with every field set and %s, passes the schema", (_name, item) => {
    expect(promptItemSchema.safeParse(item).success).toBe(true);
  });
});

describe("the client's checkItem", () => {
  it("uses the service's limits", () => {
    expect(LIMITS).toMatchObject({
      modelChars: MAX_MODEL_CHARS,
      tokens: MAX_TOKENS,
      costUsd: MAX_COST_USD,
      minSampleRate: MIN_SAMPLE_RATE,
      earliest: EARLIEST,
      aheadMs: AHEAD_MS,
    });
  });

  // Values at, inside and just past every limit, of the right type and of wrong ones.
  const now = Date.now();
  const anyValue = fc.oneof(
    fc.constant(undefined),
    fc.constant(null),
    fc.integer(),
    fc.string(),
    fc.boolean(),
  );
  const text = (max: number) =>
    fc.oneof(
      fc.string({ unit: "binary", maxLength: 8 }),
      fc.constantFrom(
        "",
        "a".repeat(max),
        "a".repeat(max + 1),
        "😀".repeat(max / 2),
        "a\u0000",
        "\uD800",
        "x\u0085",
      ),
      anyValue,
    );
  const number = (min: number, max: number) =>
    fc.oneof(
      fc.constantFrom(min, max, max + 1, min - 1, min / 2, 0.5, -0, Number.NaN, Number.POSITIVE_INFINITY),
      fc.double({ min, max, noNaN: true }),
      anyValue,
    );
  const time = fc.oneof(
    fc.constantFrom(
      "2026-01-01T00:00:00Z",
      "2026-01-01T00:00Z",
      "2026-01-01T00:00:00.Z",
      "2026-01-01 00:00:00Z",
      "2026-02-29T00:00:00Z",
      "2024-02-29T00:00:00.123+05:30",
      "1999-12-31T23:59:59Z",
      "2000-01-01T00:00:00+00:01",
      "2000-01-01T00:00:00-00:01",
      new Date(now + AHEAD_MS - 60_000).toISOString(),
      new Date(now + AHEAD_MS + 60_000).toISOString(),
      "2026-01-01T24:00:00Z",
      "2026-01-01T00:00:00+2400",
    ),
    anyValue,
  );
  const part = fc.oneof(
    fc.record({ type: text(LIMITS.partTypeChars), text: text(5) }, { requiredKeys: [] }),
    anyValue,
  );
  const message = fc.oneof(
    fc.record(
      {
        role: text(LIMITS.roleChars),
        content: fc.oneof(fc.string(), fc.array(part, { maxLength: 3 }), anyValue),
      },
      { requiredKeys: [] },
    ),
    anyValue,
  );
  /** Mostly a valid value, sometimes an edge or a wrong type: so both answers come up often. */
  const mostly = <T>(valid: fc.Arbitrary<T>, edges: fc.Arbitrary<unknown>) =>
    fc.oneof({ weight: 12, arbitrary: valid }, { weight: 1, arbitrary: edges });
  const item = fc
    .record(
      {
        requestId: mostly(fc.string({ minLength: 1, maxLength: 20 }), text(LIMITS.requestIdChars)),
        model: mostly(fc.constantFrom("openai/gpt-5", "模型"), text(MAX_MODEL_CHARS)),
        promptTokens: mostly(fc.nat(1000), fc.oneof(number(0, MAX_TOKENS), fc.constant(1.5))),
        completionTokens: mostly(fc.nat(1000), number(0, MAX_TOKENS)),
        costUsd: mostly(fc.double({ min: 0, max: 1, noNaN: true }), number(0, MAX_COST_USD)),
        sampleRate: mostly(fc.double({ min: 0.001, max: 1, noNaN: true }), number(MIN_SAMPLE_RATE, 1)),
        createdAt: mostly(fc.constant("2026-01-01T00:00:00Z"), time),
        body: fc.oneof(
          { weight: 4, arbitrary: mostly(fc.string(), anyValue).map((prompt) => ({ prompt })) },
          { weight: 4, arbitrary: fc.array(message, { maxLength: 3 }).map((messages) => ({ messages })) },
          {
            weight: 1,
            arbitrary: fc.record({ prompt: fc.string(), messages: fc.oneof(fc.array(message), anyValue) }),
          },
          { weight: 1, arbitrary: fc.constant({}) },
        ),
      },
      { requiredKeys: ["requestId", "model", "body"] },
    )
    .map(({ body, ...rest }) => ({ ...rest, ...body }));

  it("agrees with the ingest schema on any item, as the item reaches the service (JSON)", () => {
    let valid = 0;
    fc.assert(
      fc.property(item, (raw) => {
        const overJson = JSON.parse(JSON.stringify(raw));
        const local = checkItem(raw, now);
        const served = promptItemSchema.safeParse(overJson);
        expect(local.length === 0, `${JSON.stringify(raw)}: ${local.join("; ")}`).toBe(served.success);
        if (served.success) valid++;
      }),
      { numRuns: 20_000, seed: 20 },
    );
    expect(valid).toBeGreaterThan(2000); // the generator reaches valid items, not only noise
  });
});
