// The words and limits every part of the census shares: the table's closed sets (db/schema.ts
// checks them), what ingest accepts, what a job carries (queue/), what the stats and the CLI
// offer, what env.ts allows. Written once here, so a new engine or interval is one edit. Pure:
// imports nothing.

/** What became of an event's text: Google's answer, or why there is none. */
export const outcomes = ["classified", "too_short", "unsupported_language", "invalid"] as const;
export type Outcome = (typeof outcomes)[number];

/** How a prompt arrived: posted by a router, or sent by `census backfill`. */
export const sources = ["live", "backfill"] as const;

/** What classifies a job: Google, or the emulator of it (CLASSIFIER). */
export const classifierEngines = ["google", "emulator"] as const;
export type ClassifierEngine = (typeof classifierEngines)[number];

/** Whose events a row is: the classifiers', or generated ones (never mixed in one answer). */
export const engines = [...classifierEngines, "synthetic"] as const;
export type Engine = (typeof engines)[number];

/** Where an event's answer came from: a Google call, the classification cache, or the pre-skip. */
export const answerSources = ["google", "cache", "skipped"] as const;

/** Which text of an item is classified: all of it in order (the study's rule), or a chat's last
 * user turn (TEXT_FROM). */
export const textSources = ["prompt", "last-user"] as const;
export type TextFrom = (typeof textSources)[number];

/** The period of each stats row; `range` is one period for the whole window. */
export const intervals = ["day", "week", "month", "range"] as const;
export type Interval = (typeof intervals)[number];

/** The period of a privacy release unit (FLOOR_GRAIN; migrations/0017): coarser fits less traffic. */
export const floorGrains = ["day", "week", "month"] as const;
export type FloorGrain = (typeof floorGrains)[number];

// Limits from the door to the table: what the ingest schema accepts, Postgres stores. Each says
// which column it protects, so widening a column and raising a limit stay one decision.

/** prompt_tokens / completion_tokens are bigint; no request comes near a billion tokens (the
 * largest context windows are ~10M), and the cap keeps rollup sums far from bigint's ceiling. */
export const MAX_TOKENS = 1_000_000_000;

/** cost_usd is numeric(20, 10): below 1e10. A million dollars for one request is already absurd. */
export const MAX_COST_USD = 1_000_000;

/** sample_rate weighs each event by 1 / rate in the rollups: a rate of 5e-324 made that Infinity
 * and the insert failed. One in a billion is far below any router's sampling. */
export const MIN_SAMPLE_RATE = 1e-9;

/** The default of MIN_SAMPLE_RATE, the operator's floor for an item's own `sampleRate`: an item
 * at 1e-9 would count as a billion requests. One in a million is below any router's sampling. */
export const DEFAULT_SAMPLE_RATE_FLOOR = 1e-6;

/** model is text, which refuses NUL; control characters and lone surrogates are refused too (in
 * a model, and in any text a query filters on). */
export const MAX_MODEL_CHARS = 256;
/** No control character (\p{Cc}: U+0000-001F, U+007F-009F) and no lone surrogate (\p{Cs}), written
 * without \p and without flags: the OpenAPI document publishes this source as a JSON Schema
 * `pattern`, which validators and generated clients compile with or without the `u` flag, and it
 * means the same under both (a pair is one code point with `u`, two units without). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: naming the control characters is the point
export const PRINTABLE = /^(?:[^\u0000-\u001F\u007F-\u009F\uD800-\uDFFF]|[\uD800-\uDBFF][\uDC00-\uDFFF])+$/;

/** The first day the census knows: there were no LLM routers before 2000, and Postgres has no
 * year 0. An item's createdAt and a stats window start there at the earliest. */
export const FIRST_DAY = "2000-01-01";

/** A calibration's name (`census eval --save NAME`, `?adjust=NAME`). */
export const CALIBRATION_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const CALIBRATION_NAME_RULE = "letters, digits, '.', '_' or '-', at most 64";

/** The model catalogue's words (issue 21, the study's §3), shared by config/models/, the table and
 * the analytics view. `oss`: weights are public; `closed`: reachable only through a restricted API. */
export const modelSources = ["closed", "oss"] as const;
/** Where the model's author is based: China or the rest of the world. */
export const modelOrigins = ["china", "row"] as const;
/** The study's OSS sizes: small < 15B, medium 15–70B, large >= 70B parameters (§3.2). */
export const modelSizes = ["small", "medium", "large"] as const;
export type ModelSource = (typeof modelSources)[number];
export type ModelOrigin = (typeof modelOrigins)[number];
export type ModelSize = (typeof modelSizes)[number];
