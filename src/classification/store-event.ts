import type pg from "pg";
import type { TaggedLabel } from "../classification/labels";
import type { PromptEventRow } from "../db/schema";
import type { Answer, ClassifyPayload } from "../queue/jobs";

export type EventRow = Required<Omit<PromptEventRow, "language">> & Pick<PromptEventRow, "language">;

/** An event with its labels: what one job writes. */
export interface EventWrite {
  event: EventRow;
  labels: readonly TaggedLabel[];
}

/** Pure: the row a job's payload and Google's answer make. */
export function eventRow(
  id: string,
  payload: Omit<ClassifyPayload, "text">,
  answer: Answer,
  category: string,
  mappingVersion: string,
): EventRow {
  return {
    id,
    observedHour: new Date(payload.observedHour),
    model: payload.model,
    promptTokens: payload.promptTokens,
    completionTokens: payload.completionTokens,
    costUsd: payload.costUsd === null ? null : String(payload.costUsd),
    sampleRate: payload.sampleRate,
    source: payload.source,
    language: answer.language,
    engine: answer.engine,
    outcome: answer.outcome,
    category,
    mappingVersion,
    charCount: payload.chars,
    answerSource: answer.source,
    redacted: payload.redacted,
    textFrom: payload.textFrom,
  };
}

// One round trip for many events: the events' insert and their labels' insert are CTEs of one
// statement, so they commit together (a statement is atomic) without BEGIN/COMMIT, and the rollup
// triggers (statement-level) run once for the batch. Arrays through unnest keep the statement's
// text fixed and its parameters at 22 however many rows (node-postgres fails past 65,535).
// ON CONFLICT without a target: whichever unique key the table has (id today, (id, observed_hour)
// once partitioned), a repeated event inserts nothing.
export const INSERT_EVENTS = `
WITH e AS (
  INSERT INTO prompt_events (id, observed_hour, model, prompt_tokens, completion_tokens, cost_usd, sample_rate,
    source, language, engine, outcome, category, mapping_version, char_count, answer_source,
    redacted, text_from)
  SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::bigint[], $5::bigint[], $6::numeric[],
    $7::float8[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::int[],
    $15::text[], $16::boolean[], $17::text[])
  ON CONFLICT DO NOTHING
  RETURNING id, observed_hour
), l AS (
  -- a label carries its event's hour: prompt_labels is partitioned by month like prompt_events
  INSERT INTO prompt_labels (event_id, path, confidence, tag, category, observed_hour)
  SELECT x.event_id, x.path, x.confidence, x.tag, x.category, e.observed_hour
  FROM unnest($18::text[], $19::text[], $20::real[], $21::text[], $22::text[])
    AS x(event_id, path, confidence, tag, category)
  JOIN e ON e.id = x.event_id
  ON CONFLICT DO NOTHING
)
SELECT id FROM e`;

/** Pure: the 22 parameters of INSERT_EVENTS, one array per column. */
export function insertParams(writes: readonly EventWrite[]): unknown[] {
  const col = <T>(f: (e: EventRow) => T) => writes.map((w) => f(w.event));
  const labels = writes.flatMap((w) => w.labels.map((l) => ({ id: w.event.id, ...l })));
  return [
    col((e) => e.id),
    col((e) => e.observedHour),
    col((e) => e.model),
    col((e) => e.promptTokens),
    col((e) => e.completionTokens),
    col((e) => e.costUsd),
    col((e) => e.sampleRate),
    col((e) => e.source),
    col((e) => e.language ?? null),
    col((e) => e.engine),
    col((e) => e.outcome),
    col((e) => e.category),
    col((e) => e.mappingVersion),
    col((e) => e.charCount),
    col((e) => e.answerSource),
    col((e) => e.redacted),
    col((e) => e.textFrom),
    labels.map((l) => l.id),
    labels.map((l) => l.path),
    labels.map((l) => l.confidence),
    labels.map((l) => l.tag),
    labels.map((l) => l.category),
  ];
}

/** Writes many events and their labels in one statement; returns the ids it inserted. */
export async function storeEvents(
  pool: Pick<pg.Pool, "query">,
  writes: readonly EventWrite[],
): Promise<Set<string>> {
  if (writes.length === 0) return new Set();
  const { rows } = await pool.query<{ id: string }>(INSERT_EVENTS, insertParams(writes));
  return new Set(rows.map((r) => r.id));
}

/**
 * Writes one event and its labels. Idempotent: a repeated event id (a retried job, a duplicate
 * post after BullMQ forgot the first job) inserts nothing. Returns whether it inserted.
 */
export async function storeEvent(
  pool: Pick<pg.Pool, "query">,
  event: EventRow,
  labels: readonly TaggedLabel[],
): Promise<boolean> {
  return (await storeEvents(pool, [{ event, labels }])).has(event.id);
}
