import { sql } from "drizzle-orm";
import {
  check,
  doublePrecision,
  index,
  integer,
  numeric,
  pgTable,
  primaryKey,
  real,
  text,
  timestamp,
} from "drizzle-orm/pg-core";

// Only anonymous facts live here: no prompt text, router request id, customer, user, key or IP.
// `id` is an HMAC of the router's request id under a secret the database never sees, so a repeated
// post collides on the primary key without the table holding anything that names the request.

export const outcomes = ["classified", "too_short", "unsupported_language", "invalid"] as const;
export const sources = ["live", "backfill"] as const;
export const engines = ["google", "emulator", "synthetic"] as const;

export const promptEvents = pgTable(
  "prompt_events",
  {
    id: text("id").primaryKey(),
    observedHour: timestamp("observed_hour", { withTimezone: true }).notNull(),
    model: text("model").notNull(),
    promptTokens: integer("prompt_tokens"),
    completionTokens: integer("completion_tokens"),
    costUsd: numeric("cost_usd", { precision: 20, scale: 10 }),
    sampleRate: doublePrecision("sample_rate").notNull(),
    source: text("source", { enum: sources }).notNull(),
    language: text("language"),
    engine: text("engine", { enum: engines }).notNull(),
    outcome: text("outcome", { enum: outcomes }).notNull(),
    category: text("category").notNull(),
    mappingVersion: text("mapping_version").notNull(),
    charCount: integer("char_count").notNull(),
  },
  (t) => [
    index("prompt_events_hour_idx").on(t.observedHour),
    index("prompt_events_category_hour_idx").on(t.category, t.observedHour),
    check("prompt_events_sample_rate_ck", sql`${t.sampleRate} > 0 AND ${t.sampleRate} <= 1`),
    check("prompt_events_source_ck", sql`${t.source} IN ('live', 'backfill')`),
    check("prompt_events_engine_ck", sql`${t.engine} IN ('google', 'emulator', 'synthetic')`),
    check(
      "prompt_events_outcome_ck",
      sql`${t.outcome} IN ('classified', 'too_short', 'unsupported_language', 'invalid')`,
    ),
  ],
);

export const promptLabels = pgTable(
  "prompt_labels",
  {
    eventId: text("event_id")
      .notNull()
      .references(() => promptEvents.id, { onDelete: "cascade" }),
    path: text("path").notNull(),
    confidence: real("confidence").notNull(),
    tag: text("tag").notNull(),
    category: text("category").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.eventId, t.path] }),
    index("prompt_labels_category_tag_idx").on(t.category, t.tag),
  ],
);

export const apiKeys = pgTable("api_keys", {
  id: text("id").primaryKey(),
  // SHA-256 of the key: keys are 256-bit random, so a fast hash is enough and lookups stay O(1).
  keyHash: text("key_hash").notNull().unique(),
  scopes: text("scopes").array().notNull(),
  name: text("name"),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  revokedAt: timestamp("revoked_at", { withTimezone: true }),
});

export type PromptEventRow = typeof promptEvents.$inferInsert;
export type PromptLabelRow = typeof promptLabels.$inferInsert;
