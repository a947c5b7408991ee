import { randomBytes } from "node:crypto";
import fc from "fast-check";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requestCategory, tagLabels } from "../src/classification/labels";
import { eventRow, storeEvent } from "../src/classification/store-event";
import { createPool } from "../src/db/client";
import { AHEAD_MS, EARLIEST } from "../src/ingest/limits";
import { planItem } from "../src/ingest/plan";
import { promptItemSchema } from "../src/ingest/schema";
import { type Answer, classifyPayloadSchema } from "../src/queue/jobs";
import { loadCategoryList, loadTaxonomy } from "../src/taxonomy/load";
import { MAX_COST_USD, MAX_TOKENS, MIN_SAMPLE_RATE } from "../src/vocabulary";
import { TEST_DATABASE_URL } from "./support/urls";

// One contract from the door to the table: whatever the ingest schema accepts, Postgres stores.
// fast-check generates valid items, the edges of every limit included; each goes the real way
// (schema, plan, a JSON round trip as through Redis, the job schema, the event row) into Postgres.

const taxonomy = loadTaxonomy();
const v2Paths = loadCategoryList("google/content-categories-v2.txt");
let pool: pg.Pool;
beforeAll(() => {
  pool = createPool(TEST_DATABASE_URL, { max: 2 });
});
afterAll(() => pool.end());

const now = Date.now();
const pad = (n: number, w = 2) => String(Math.abs(n)).padStart(w, "0");

/** An ISO time inside the window, written the many ways routers write one. */
const createdAt = fc
  .record({
    ms: fc.oneof(
      fc.integer({ min: EARLIEST + 1000, max: now + AHEAD_MS - 60_000 }),
      fc.constantFrom(EARLIEST + 1000, now + AHEAD_MS - 60_000),
    ),
    offset: fc.oneof(
      fc.integer({ min: -(23 * 60 + 59), max: 23 * 60 + 59 }),
      fc.constantFrom(0, -1439, 1439),
    ),
    fraction: fc.constantFrom("", ".5", ".123", ".123456789"),
    zulu: fc.boolean(),
  })
  .map(({ ms, offset, fraction, zulu }) => {
    if (zulu) return `${new Date(ms).toISOString().slice(0, 19)}${fraction}Z`;
    const local = new Date(ms + offset * 60_000).toISOString().slice(0, 19);
    const sign = offset < 0 ? "-" : "+";
    return `${local}${fraction}${sign}${pad(Math.trunc(offset / 60))}:${pad(offset % 60)}`;
  });

const text = (max: number) => fc.string({ unit: "binary", minLength: 1, maxLength: max });
const printable = (max: number) =>
  fc.oneof(
    fc.string({ unit: "binary", minLength: 1, maxLength: max }).filter((s) => /^[^\p{Cc}\p{Cs}]+$/u.test(s)),
    fc.constantFrom("a".repeat(256), "😀".repeat(128), "模型/名字", "=SUM(1+1)/m", "'; DROP TABLE x;--"),
  );
const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

const content = fc.oneof(
  text(600),
  fc.constant(null),
  fc.array(
    fc.record({ type: fc.constantFrom("text", "image_url", "input_audio"), text: optional(text(300)) }),
    { maxLength: 4 },
  ),
);

const item = fc
  .record({
    requestId: text(200),
    body: fc.oneof(
      text(3000).map((prompt) => ({ prompt })),
      fc.constant({ prompt: "x".repeat(20_000) }),
      fc
        .array(fc.record({ role: fc.constantFrom("system", "user", "assistant"), content }), {
          minLength: 1,
          maxLength: 5,
        })
        .map((messages) => ({ messages })),
    ),
    model: printable(128),
    promptTokens: optional(fc.oneof(fc.integer({ min: 0, max: MAX_TOKENS }), fc.constantFrom(0, MAX_TOKENS))),
    completionTokens: optional(fc.oneof(fc.integer({ min: 0, max: MAX_TOKENS }), fc.constant(MAX_TOKENS))),
    costUsd: optional(
      fc.oneof(
        fc.double({ min: 0, max: MAX_COST_USD, noNaN: true }),
        fc.constantFrom(0, MAX_COST_USD, Number.MIN_VALUE, 1e-11, 0.1 + 0.2),
      ),
    ),
    createdAt: optional(createdAt),
    sampleRate: optional(
      fc.oneof(fc.double({ min: MIN_SAMPLE_RATE, max: 1, noNaN: true }), fc.constantFrom(MIN_SAMPLE_RATE, 1)),
    ),
  })
  .map(({ body, ...rest }) => ({ ...rest, ...body }));

const answer: fc.Arbitrary<Answer> = fc.record({
  engine: fc.constantFrom("google" as const, "emulator" as const),
  outcome: fc.constantFrom("classified" as const, "too_short" as const, "unsupported_language" as const),
  labels: fc.array(
    fc.record({ name: fc.constantFrom(...v2Paths), confidence: fc.double({ min: 0, max: 1, noNaN: true }) }),
    { maxLength: 4 },
  ),
  language: fc.constantFrom("en", "ja", "zh-Hant", null),
  source: fc.constantFrom("google" as const, "cache" as const, "skipped" as const),
});

describe("the ingest contract", () => {
  it("every item the schema accepts stores, its facts intact", async () => {
    const tag = `prop${randomBytes(4).toString("hex")}`;
    let n = 0;
    let stored = 0;
    await fc.assert(
      fc.asyncProperty(item, answer, async (raw, ans) => {
        const parsed = promptItemSchema.safeParse(raw);
        expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
        if (!parsed.success) return;
        const planned = planItem(parsed.data, {
          secret: "s".repeat(32),
          sampleRate: 1,
          maxChars: 1000,
          redact: true,
          source: "live",
          now: new Date(),
        });
        if (!planned.sampled) return; // nothing visible to classify: skipped, by design
        // through Redis and back, then the worker's own boundary
        const payload = classifyPayloadSchema.parse(JSON.parse(JSON.stringify(planned.payload)));
        const tagged = tagLabels(taxonomy, ans.labels, 0.5);
        const id = `${tag}-${n++}`;
        const row = eventRow(id, payload, ans, requestCategory(tagged), taxonomy.version);
        expect(await storeEvent(pool, row, tagged)).toBe(true);
        const { rows } = await pool.query(
          "SELECT model, prompt_tokens::float8 AS p, completion_tokens::float8 AS c, observed_hour FROM prompt_events WHERE id = $1",
          [id],
        );
        expect(rows[0]).toMatchObject({
          model: parsed.data.model,
          p: parsed.data.promptTokens ?? null,
          c: parsed.data.completionTokens ?? null,
        });
        expect((rows[0].observed_hour as Date).toISOString()).toBe(payload.observedHour);
        stored += 1;
      }),
      { numRuns: 1000 },
    );
    expect(stored).toBeGreaterThan(700); // most generated items have visible text
  }, 120_000);
});
