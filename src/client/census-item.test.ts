import type { z } from "@hono/zod-openapi";
import { describe, expect, expectTypeOf, it } from "vitest";
import { promptItemSchema } from "../ingest/schema";
import type { CensusItem } from "./index";

// The router client has no dependencies, so it cannot import the ingest schema: it writes the
// item's shape out. These checks tie the two (`npm run typecheck` runs them): a field added,
// renamed or retyped on one side only fails here, not in a router in production.

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
