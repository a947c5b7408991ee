import { type SQL, sql } from "drizzle-orm";
import {
  type AnyPgColumn,
  bigint,
  boolean,
  check,
  customType,
  date,
  doublePrecision,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  primaryKey,
  real,
  text,
  timestamp,
  unique,
} from "drizzle-orm/pg-core";
import {
  answerSources,
  engines,
  modelOrigins,
  modelSizes,
  modelSources,
  outcomes,
  sources,
  textSources,
} from "../vocabulary";

const bytea = customType<{ data: Buffer }>({ dataType: () => "bytea" });

// Only anonymous facts live here: no prompt text, router request id, customer, user, key or IP.
// `id` is an HMAC of the router's request id under a secret the database never sees, so a repeated
// post collides on the primary key without the table holding anything that names the request.

/** `column IN ('a', 'b')`: a check built from the same list as the column's type. */
const oneOf = (column: AnyPgColumn, values: readonly string[]): SQL =>
  sql`${column} IN (${sql.raw(values.map((v) => `'${v}'`).join(", "))})`;

export const promptEvents = pgTable(
  "prompt_events",
  {
    id: text("id").notNull(),
    observedHour: timestamp("observed_hour", { withTimezone: true }).notNull(),
    model: text("model").notNull(),
    // bigint: token counts are summed into rollups; ingest caps each at MAX_TOKENS (vocabulary.ts)
    promptTokens: bigint("prompt_tokens", { mode: "number" }),
    completionTokens: bigint("completion_tokens", { mode: "number" }),
    costUsd: numeric("cost_usd", { precision: 20, scale: 10 }),
    sampleRate: doublePrecision("sample_rate").notNull(),
    source: text("source", { enum: sources }).notNull(),
    language: text("language"),
    engine: text("engine", { enum: engines }).notNull(),
    outcome: text("outcome", { enum: outcomes }).notNull(),
    category: text("category").notNull(),
    mappingVersion: text("mapping_version").notNull(),
    charCount: integer("char_count").notNull(),
    answerSource: text("answer_source", { enum: answerSources }).notNull().default("google"),
    /** Whether redaction replaced anything in the text before Google saw it: a flag, nothing more. */
    redacted: boolean("redacted").notNull().default(false),
    /** Which text was classified: the whole prompt (the study's rule) or a chat's last user turn. */
    textFrom: text("text_from", { enum: textSources }).notNull().default("prompt"),
  },
  // No secondary indexes: analyses read the rollups, and every live event and COPY row would pay
  // for them. (Dropped in 0003 after the bench showed them on the write path.)
  // Partitioned by month of observed_hour (migrations/0029, sql/partitions.sql; drizzle cannot say
  // so): the primary key holds the partition key, as Postgres requires of a partitioned table.
  (t) => [
    primaryKey({ columns: [t.id, t.observedHour] }),
    check("prompt_events_sample_rate_ck", sql`${t.sampleRate} > 0 AND ${t.sampleRate} <= 1`),
    check("prompt_events_source_ck", oneOf(t.source, sources)),
    check("prompt_events_text_from_ck", oneOf(t.textFrom, textSources)),
    check("prompt_events_engine_ck", oneOf(t.engine, engines)),
    check("prompt_events_outcome_ck", oneOf(t.outcome, outcomes)),
    check("prompt_events_answer_source_ck", oneOf(t.answerSource, answerSources)),
  ],
);

export const promptLabels = pgTable(
  "prompt_labels",
  {
    eventId: text("event_id").notNull(),
    path: text("path").notNull(),
    confidence: real("confidence").notNull(),
    tag: text("tag").notNull(),
    category: text("category").notNull(),
    /** Its event's hour: the partition key, so a label lives in its event's month partition. */
    observedHour: timestamp("observed_hour", { withTimezone: true }).notNull(),
  },
  // The foreign key to prompt_events (event_id, observed_hour), ON DELETE CASCADE, is declared
  // between each month's partitions, not here: sql/partitions.sql says why.
  (t) => [primaryKey({ columns: [t.eventId, t.path, t.observedHour] })],
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

// Each mapping version loaded from config/, so stored events can be traced to the rules that tagged them.
export const taxonomyMappings = pgTable("taxonomy_mappings", {
  version: text("version").primaryKey(),
  sha256: text("sha256").notNull(),
  rules: jsonb("rules").notNull(),
  loadedAt: timestamp("loaded_at", { withTimezone: true }).notNull().defaultNow(),
});

// One row: settings the SQL views need (they cannot read the environment). Written at start-up.
export const censusSettings = pgTable(
  "census_settings",
  {
    id: boolean("id").primaryKey().default(true),
    kMinEvents: integer("k_min_events").notNull(),
    // FLOOR_GRAIN: the period of a release unit (migrations/0017)
    floorGrain: text("floor_grain").notNull().default("day"),
  },
  (t) => [
    check("census_settings_one_row_ck", sql`${t.id}`),
    check("census_settings_floor_grain_ck", sql`${t.floorGrain} IN ('day', 'week', 'month')`),
  ],
);

// One row once `census retention` dropped a month: events before kept_from are gone, and their
// days' rollups hold the only aggregates left, which census_rebuild_rollups() keeps (sql/partitions.sql).
export const censusRetention = pgTable(
  "census_retention",
  {
    id: boolean("id").primaryKey().default(true),
    keptFrom: date("kept_from").notNull(),
  },
  (t) => [check("census_retention_one_row_ck", sql`${t.id}`)],
);

// Rollups kept current by statement-level triggers as events land (see migrations/0002), so a year
// of weekly shares reads thousands of rows, not millions. `events` is the sample count (the
// privacy floor applies to it); `est_*` weigh each event by 1 / sample_rate. Every rollup is keyed
// by (day, outcome, category, model) at least: the privacy floor's release units are built from
// those cells, and a breakdown (tag, language) is released inside them (sql/floor.sql).
const measures = {
  events: bigint("events", { mode: "number" }).notNull(),
  estRequests: doublePrecision("est_requests").notNull(),
  tokens: bigint("tokens", { mode: "number" }).notNull(),
  estTokens: doublePrecision("est_tokens").notNull(),
  // sum over the events of (1 - p) / p^2 * x^2 (p its sample rate, x its weight): the unbiased
  // variance estimate of est_* under Bernoulli sampling, which the share intervals need
  // (migrations/0017, docs/analytics.md "Error bars")
  varRequests: doublePrecision("var_requests").notNull().default(0),
  varTokens: doublePrecision("var_tokens").notNull().default(0),
};

export const rollupCategoryDaily = pgTable(
  "rollup_category_daily",
  {
    day: date("day").notNull(),
    engine: text("engine").notNull(),
    outcome: text("outcome").notNull(),
    category: text("category").notNull(),
    model: text("model").notNull(),
    author: text("author").notNull(),
    ...measures,
    spend: doublePrecision("spend").notNull(),
    estSpend: doublePrecision("est_spend").notNull(),
    varSpend: doublePrecision("var_spend").notNull().default(0),
    // tokens of the events that carry a cost, so price per token is not diluted by unpriced events
    pricedTokens: bigint("priced_tokens", { mode: "number" }).notNull(),
    estPricedTokens: doublePrecision("est_priced_tokens").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.day, t.engine, t.outcome, t.category, t.model] }),
    index("rollup_category_daily_engine_day_idx").on(t.engine, t.day),
  ],
);

export const rollupTagDaily = pgTable(
  "rollup_tag_daily",
  {
    day: date("day").notNull(),
    engine: text("engine").notNull(),
    outcome: text("outcome").notNull(),
    category: text("category").notNull(),
    model: text("model").notNull(),
    tag: text("tag").notNull(),
    ...measures,
  },
  (t) => [
    primaryKey({ columns: [t.day, t.engine, t.outcome, t.category, t.model, t.tag] }),
    index("rollup_tag_daily_engine_day_idx").on(t.engine, t.day),
  ],
);

export const rollupLanguageDaily = pgTable(
  "rollup_language_daily",
  {
    day: date("day").notNull(),
    engine: text("engine").notNull(),
    outcome: text("outcome").notNull(),
    category: text("category").notNull(),
    model: text("model").notNull(),
    language: text("language").notNull(),
    ...measures,
  },
  (t) => [
    primaryKey({ columns: [t.day, t.engine, t.outcome, t.category, t.model, t.language] }),
    index("rollup_language_daily_engine_day_idx").on(t.engine, t.day),
  ],
);

// The privacy floor's released units (sql/floor.sql): which events each published number may
// add up, decided per day from the rollups above and kept by the same triggers for the days a write
// touches, so a query only sums them. One row per released unit of a day, outcome and category:
// `unit_model` set for a model's own cell, only `unit_author` for an author's pool, neither for
// the category's pool. Events in no released unit have no row.
const unitKeys = {
  day: date("day").notNull(),
  engine: text("engine").notNull(),
  outcome: text("outcome").notNull(),
  category: text("category").notNull(),
  /** The unit's model group (sql/floor.sql: a level of the partition, so pools never mix groups). */
  sourceGroup: text("source_group").notNull().default("unknown"),
  unitAuthor: text("unit_author"),
  unitModel: text("unit_model"),
};

export const releaseUnitDaily = pgTable(
  "release_unit_daily",
  {
    ...unitKeys,
    ...measures,
    spend: doublePrecision("spend").notNull(),
    estSpend: doublePrecision("est_spend").notNull(),
    varSpend: doublePrecision("var_spend").notNull().default(0),
    pricedTokens: bigint("priced_tokens", { mode: "number" }).notNull(),
    estPricedTokens: doublePrecision("est_priced_tokens").notNull(),
  },
  (t) => [index("release_unit_daily_engine_day_idx").on(t.engine, t.day)],
);

// A breakdown ('tag', 'language', or 'trait': the catalogue's reasoning|size of the unit's models)
// released inside each unit: shown values, and for languages and traits one row with value NULL
// pooling the hidden ones (tags overlap, so hidden tags have no row).
export const releaseBreakdownDaily = pgTable(
  "release_breakdown_daily",
  {
    kind: text("kind").notNull(),
    ...unitKeys,
    value: text("value"),
    ...measures,
  },
  (t) => [index("release_breakdown_daily_engine_kind_day_idx").on(t.engine, t.kind, t.day)],
);

// release_breakdown_daily's language rows summed per engine, period, outcome and language (NULL:
// the pooled hidden ones), rewritten by the same refresh (sql/floor.sql census_sum_languages): what
// coverage by language reads, at a size that does not grow with the released units.
export const releaseLanguageDaily = pgTable(
  "release_language_daily",
  {
    day: date("day").notNull(),
    engine: text("engine").notNull(),
    outcome: text("outcome").notNull(),
    language: text("language"),
    events: bigint("events", { mode: "number" }).notNull(),
    estRequests: doublePrecision("est_requests").notNull(),
    varRequests: doublePrecision("var_requests").notNull(),
  },
  (t) => [unique("release_language_daily_key").on(t.engine, t.day, t.outcome, t.language).nullsNotDistinct()],
);

// A stored model's group and trait (reasoning|size) from `since` on, as the catalogue stood when
// its units were first released (sql/floor.sql census_model_facts): a catalogue change adds rows
// from a cutoff on and never re-cuts a released unit.
export const modelGroupHistory = pgTable(
  "model_group_history",
  {
    model: text("model").notNull(),
    since: date("since").notNull(),
    sourceGroup: text("source_group").notNull(),
    trait: text("trait").notNull(),
  },
  (t) => [primaryKey({ name: "model_group_history_pkey", columns: [t.model, t.since] })],
);

// Partitions whose released units are stale: marked by the write triggers, drained by the
// refresher (census_refresh_dirty). Append-only, no unique key: migrations/0026_release_dirty.sql.
export const releaseDirty = pgTable(
  "release_dirty",
  {
    engine: text("engine").notNull(),
    day: date("day").notNull(),
    outcome: text("outcome").notNull(),
    category: text("category").notNull(),
    markedAt: timestamp("marked_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("release_dirty_engine_idx").on(t.engine)],
);

// Days whose rollups a `census remap` changed and has not rebuilt yet (src/taxonomy/remap.ts): kept
// across runs, so a stopped remap's days are rebuilt by the next. migrations/0031_remap_stale_days.sql.
export const remapStaleDays = pgTable(
  "remap_stale_days",
  {
    engine: text("engine").notNull(),
    day: date("day").notNull(),
  },
  (t) => [primaryKey({ name: "remap_stale_days_pkey", columns: [t.engine, t.day] })],
);

// Google's answers by a keyed hash of what it was sent (classification/cache.ts): the text is
// never stored. A row without an answer is a lease: one worker is asking Google right now.
export const classifyCache = pgTable(
  "classify_cache",
  {
    key: bytea("key").primaryKey(),
    answer: jsonb("answer"),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
  },
  (t) => [index("classify_cache_expires_idx").on(t.expiresAt)],
);

// Google usage per day, kept by the events trigger like the other rollups: calls made, units
// billed, and the calls the cache and the pre-skip avoided (GET /v1/stats/usage).
export const rollupUsageDaily = pgTable(
  "rollup_usage_daily",
  {
    day: date("day").notNull(),
    engine: text("engine").notNull(),
    answerSource: text("answer_source").notNull(),
    events: bigint("events", { mode: "number" }).notNull(),
    units: bigint("units", { mode: "number" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.day, t.engine, t.answerSource] })],
);

// One row per `census backfill` run: where it stands, so a crash or Ctrl-C resumes there. Holds
// the path the operator gave and a fingerprint of the content, counters and the numbers of bad
// lines, never their content.
export const backfillRuns = pgTable(
  "backfill_runs",
  {
    id: text("id").primaryKey(),
    source: text("source").notNull(),
    fingerprint: text("fingerprint").notNull(),
    format: text("format").notNull(),
    options: jsonb("options").notNull(),
    status: text("status", { enum: ["running", "interrupted", "failed", "done"] }).notNull(),
    // records handled so far, and (plain NDJSON only) the byte offset right after the last of them
    records: bigint("records", { mode: "number" }).notNull().default(0),
    byteOffset: bigint("byte_offset", { mode: "number" }),
    counters: jsonb("counters").notNull(),
    badLines: jsonb("bad_lines").notNull(),
    error: text("error"),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [check("backfill_runs_status_ck", sql`${t.status} IN ('running', 'interrupted', 'failed', 'done')`)],
);

// One row per queue (its Redis key prefix and name): the marker the service keeps in that Redis.
// A Redis that comes back without the marker this table says was written has lost its data; an
// empty Redis with no row here is a first start (src/platform/redis-marker.ts).
export const redisMarkers = pgTable("redis_markers", {
  queue: text("queue").primaryKey(),
  token: text("token").notNull(),
  writtenAt: timestamp("written_at", { withTimezone: true }).notNull().defaultNow(),
});

// `census eval FILE --save NAME`: a labelled set's confusion matrix, counts only (no text, no id),
// with what it was measured under; `?adjust=NAME` on the category answers corrects with it.
export const calibrations = pgTable("calibrations", {
  name: text("name").primaryKey(),
  scheme: text("scheme").notNull(),
  mappingVersion: text("mapping_version").notNull(),
  engine: text("engine").notNull(),
  /** Classified texts the matrix holds. */
  texts: integer("texts").notNull(),
  /** { expected: { predicted: count } }, category ids only. */
  confusion: jsonb("confusion").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

// The model catalogue in use (config/models/catalogue.json merged with MODEL_CATALOGUE's file),
// reloaded at start and by `census catalogue reload`. Public metadata about models, no event data:
// analysts read it through analytics.model_attributes(). `match` is an exact id, or a prefix
// ending in `*`; the lookup (src/catalogue/lookup.ts and the SQL function) is the same rule.
export const modelCatalogue = pgTable(
  "model_catalogue",
  {
    match: text("match").primaryKey(),
    source: text("source", { enum: modelSources }).notNull(),
    origin: text("origin", { enum: modelOrigins }).notNull(),
    size: text("size", { enum: modelSizes }),
    /** Parameters in billions (total, for mixture-of-experts models), where known. */
    params: real("params"),
    reasoning: boolean("reasoning").notNull(),
    cite: text("cite").notNull(),
    version: text("version").notNull(),
  },
  (t) => [
    check("model_catalogue_source", oneOf(t.source, modelSources)),
    check("model_catalogue_origin", oneOf(t.origin, modelOrigins)),
    check("model_catalogue_size", sql`${t.size} IS NULL OR ${oneOf(t.size, modelSizes)}`),
  ],
);
