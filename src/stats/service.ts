import type pg from "pg";
import { AppError } from "../platform/errors";
import type { Engine, FloorGrain, Outcome } from "../vocabulary";
import { type AnswerGroup, groupsOf } from "./groups";
import { type ShareRow, shareIntervals } from "./interval";
import type {
  AuthorsQuery,
  AuthorsResponse,
  CategoriesQuery,
  CategoriesResponse,
  CoverageQuery,
  CoverageResponse,
  SourcesQuery,
  SourcesResponse,
  TagsQuery,
  TagsResponse,
  UsageQuery,
  UsageResponse,
} from "./schema";
import { type Cell, totalsOf } from "./totals";

// Each verb reads one analytics.* SQL function (the same ones analysts call), so the HTTP API and
// SQL give the same numbers and the privacy floor lives in one place. Usage reads its rollup: it
// counts calls, never what they were about, and has no floor to apply.

/** The window, snapped to whole periods, and the engine answered from (named or defaulted). */
type Range = { from: string; to: string; engine: Engine };
type Weight = "tokens" | "requests" | "spend";
type Row = Record<string, unknown>;

const NOTES = {
  floor: (k: number, grain: FloorGrain) =>
    `The privacy floor: every number is a sum of released units. A model's events of one ${grain}, outcome and category are released when there are at least ${k}; an author's models under ${k} that ${grain} are pooled and released when the pool reaches ${k}; then the category's remaining authors likewise. Events in no released unit are in no answer, so no two answers can be differenced to recover them (docs/analytics.md).`,
  window: (grain: FloorGrain) =>
    grain === "day"
      ? "Periods are whole: `from` and `to` are widened to the interval's boundaries (weeks start on Monday)."
      : `Periods are whole: \`from\` and \`to\` are widened to the interval's boundaries, then to whole ${grain}s (FLOOR_GRAIN); a ${grain}'s units count in the period of its first day.`,
  intervals:
    '`shareLow`..`shareHigh` is a 95% interval for sampling error (a linearised ratio variance on the logit scale, from released units only); it does not cover misclassification (docs/analytics.md "Error bars").',
  others:
    "Shares are among the named categories: `others` (the long tail) has numbers but no share, as in the study.",
  estimates:
    "`estimated` weighs each event by 1 / its sample rate: an estimate of the router's full traffic.",
  tags: "Tags describe all labels of the requests in a category (a roleplay request may carry an adult tag); an event counts once per tag, so tag totals overlap. A tag is shown where at least k events of a released unit carry it.",
  sources:
    "Groups by the model catalogue (config/models/; `census catalogue check` lists the models it does not know). A unit of the privacy floor never mixes groups, so a group's numbers are sums of whole released units; `unknown` counts the models the catalogue does not know, never guessed.",
  traits:
    "With `reasoning` or `size`: the category mix of the events of models the catalogue gives that value, from the breakdown of each released unit by its models' values; a unit's values under k are pooled with its smallest ones until the pool holds k and shown under no value, so these rows can sum to less than the unfiltered answer.",
  pooled:
    "The row with no author pools the authors each under the floor that day: counted in its category, named nowhere.",
};

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** Sample value, estimate, variance and share column names of a weight in the analytics functions. */
function columns(weight: Weight) {
  if (weight === "requests")
    return { value: "events", estimated: "est_requests", variance: "var_requests", share: "requests" };
  if (weight === "spend")
    return { value: "spend", estimated: "est_spend", variance: "var_spend", share: "spend" };
  return { value: "tokens", estimated: "est_tokens", variance: "var_tokens", share: "tokens" };
}

/** What an interval needs of a row, for the share in column `share`. */
function moments(r: Row, weight: Weight, share: string): ShareRow {
  const c = columns(weight);
  return {
    share: num(r[share]),
    estimated: Number(r[c.estimated]),
    variance: Number(r[c.variance]),
    requests: Number(r.est_requests),
  };
}

/** Each row's 95% interval of the share in column `share`, divided within `partition` as SQL does. */
function intervalsOf(raw: Row[], weight: Weight, share: string, partition: (r: Row) => string) {
  const rows = raw.map((r) => ({ ...moments(r, weight, share), key: partition(r) }));
  return shareIntervals(rows, (r) => r.key);
}

/** Calls one analytics function with (engine, from, to, interval, ...rest). */
async function call(
  pool: pg.Pool,
  fn: string,
  q: { engine: string; interval: string } & Range,
  ...rest: unknown[]
) {
  const params = [q.engine, q.from, q.to, q.interval, ...rest];
  const placeholders = params.map((_, i) => `$${i + 1}`).join(", ");
  return (await pool.query<Row>(`SELECT * FROM analytics.${fn}(${placeholders})`, params)).rows;
}

/** The measures every cell has, in the weight asked for (its keys follow the cell's own). */
function measures(r: Row, weight: Weight): Omit<Cell, "period"> {
  const c = columns(weight);
  return { events: Number(r.events), value: Number(r[c.value]), estimated: Number(r[c.estimated]) };
}

function respond<R extends Cell>(
  query: Record<string, string | number | null>,
  k: number,
  notes: string[],
  rows: R[],
  grain: FloorGrain,
) {
  return {
    query,
    kMinEvents: k,
    notes: [NOTES.floor(k, grain), NOTES.window(grain), ...notes, NOTES.estimates, NOTES.intervals],
    rows,
    totals: totalsOf(rows),
  };
}

/**
 * The breakdown a `reasoning` or `size` filter reads, or null. Breakdowns keep events, requests
 * and tokens per released unit (not spend, nor a unit's model or author: pooled values name
 * neither), so those weights and filters do not combine with it: a 400 that says so.
 */
function traitOf(q: CategoriesQuery): { kind: "reasoning" | "size"; value: string } | null {
  const trait = q.reasoning !== undefined ? "reasoning" : q.size !== undefined ? "size" : null;
  if (trait === null) return null;
  const clashes: [boolean, string][] = [
    [q.reasoning !== undefined && q.size !== undefined, "size"],
    [q.weight === "spend", "weight"],
    [q.model !== undefined, "model"],
    [q.author !== undefined, "author"],
    [q.adjust !== undefined, "adjust"],
  ];
  const clash = clashes.find(([found]) => found)?.[1] ?? null;
  if (clash !== null) {
    throw new AppError(
      "VALIDATION_FAILED",
      `\`${trait}\` does not combine with \`${clash}\`${clash === "weight" ? "=spend (spend is not kept per reasoning or size)" : ""}.`,
      {
        errors: [{ path: clash, message: `does not combine with ${trait}` }],
      },
    );
  }
  return { kind: trait, value: String(q.reasoning ?? q.size) };
}

export async function categoryStats(
  pool: pg.Pool,
  q: CategoriesQuery & Range,
  k: number,
  grain: FloorGrain = "day",
): Promise<Omit<CategoriesResponse, "mapping">> {
  const share = `share_${columns(q.weight).share}`;
  const groups = groupsOf(q.source, q.origin);
  const trait = traitOf(q);
  const raw = trait
    ? (await call(pool, "trait_mix", q, trait.kind, groups)).filter((r) => r.trait === trait.value)
    : await call(pool, "category_share", q, q.model ?? null, q.author ?? null, groups);
  const bounds = intervalsOf(raw, q.weight, share, (r) => String(r.period));
  const rows = raw.map((r, i) => ({
    period: String(r.period),
    category: String(r.category),
    ...measures(r, q.weight),
    share: num(r[share]),
    shareLow: bounds[i]?.low ?? null,
    shareHigh: bounds[i]?.high ?? null,
  }));
  // A filter is usable only where it clears the floor in the window: with no released unit of its
  // own it has nothing to show, and says so instead of answering with an empty chart.
  const filter = q.model !== undefined ? "model" : q.author !== undefined ? "author" : null;
  if (filter !== null && rows.length === 0) {
    throw new AppError(
      "BELOW_FLOOR",
      `No released unit of this ${filter} in [${q.from}, ${q.to}): it has no events there, or too few to clear the privacy floor (${k} events of one model, or of one author's pooled models, in a ${grain} and category).`,
      { errors: [{ path: filter, message: `does not clear the privacy floor in this window` }] },
    );
  }
  const query = {
    ...q,
    model: q.model ?? null,
    author: q.author ?? null,
    source: q.source ?? null,
    origin: q.origin ?? null,
    reasoning: q.reasoning ?? null,
    size: q.size ?? null,
  };
  const notes = [NOTES.others, ...(groups ? [NOTES.sources] : []), ...(trait ? [NOTES.traits] : [])];
  return respond(query, k, notes, rows, grain);
}

export async function tagStats(
  pool: pg.Pool,
  q: TagsQuery & Range,
  k: number,
  grain: FloorGrain = "day",
): Promise<Omit<TagsResponse, "mapping">> {
  const share = `share_${columns(q.weight).share}`;
  const raw = await call(pool, "tag_composition", q, q.category ?? null);
  // tags overlap: an event with two tags counts in both, which this variance treats as two events
  const bounds = intervalsOf(raw, q.weight, share, (r) => `${r.period}|${r.category}`);
  const rows = raw.map((r, i) => ({
    period: String(r.period),
    category: String(r.category),
    tag: String(r.tag),
    ...measures(r, q.weight),
    share: num(r[share]),
    shareLow: bounds[i]?.low ?? null,
    shareHigh: bounds[i]?.high ?? null,
  }));
  return respond({ ...q, category: q.category ?? null }, k, [NOTES.tags], rows, grain);
}

export async function authorStats(
  pool: pg.Pool,
  q: AuthorsQuery & Range,
  k: number,
  grain: FloorGrain = "day",
): Promise<Omit<AuthorsResponse, "mapping">> {
  const share = columns(q.weight).share;
  const raw = await call(pool, "author_mix", q, q.category ?? null);
  const ofAuthor = intervalsOf(raw, q.weight, `share_of_author_${share}`, (r) => `${r.period}|${r.author}`);
  const ofCategory = intervalsOf(
    raw,
    q.weight,
    `share_of_category_${share}`,
    (r) => `${r.period}|${r.category}`,
  );
  const rows = raw.map((r, i) => ({
    period: String(r.period),
    author: r.author === null ? null : String(r.author), // the pool of authors under the floor
    category: String(r.category),
    ...measures(r, q.weight),
    shareOfAuthor: num(r[`share_of_author_${share}`]),
    shareOfAuthorLow: ofAuthor[i]?.low ?? null,
    shareOfAuthorHigh: ofAuthor[i]?.high ?? null,
    shareOfCategory: num(r[`share_of_category_${share}`]),
    shareOfCategoryLow: ofCategory[i]?.low ?? null,
    shareOfCategoryHigh: ofCategory[i]?.high ?? null,
  }));
  return respond({ ...q, category: q.category ?? null }, k, [NOTES.pooled, NOTES.others], rows, grain);
}

export async function sourceStats(
  pool: pg.Pool,
  q: SourcesQuery & Range,
  k: number,
  grain: FloorGrain = "day",
): Promise<Omit<SourcesResponse, "mapping">> {
  const share = `share_of_category_${columns(q.weight).share}`;
  const raw = await call(pool, "source_mix", q, q.category ?? null);
  const bounds = intervalsOf(raw, q.weight, share, (r) => `${r.period}|${r.category}`);
  const rows = raw.map((r, i) => ({
    period: String(r.period),
    category: String(r.category),
    group: r.source_group as AnswerGroup, // analytics.source_mix's four groups
    ...measures(r, q.weight),
    shareOfCategory: num(r[share]),
    shareLow: bounds[i]?.low ?? null,
    shareHigh: bounds[i]?.high ?? null,
  }));
  return respond({ ...q, category: q.category ?? null }, k, [NOTES.sources], rows, grain);
}

export async function coverageStats(
  pool: pg.Pool,
  q: CoverageQuery & Range,
  k: number,
): Promise<CoverageResponse> {
  const { rows } = await pool.query<Row>("SELECT * FROM analytics.coverage($1, $2, $3, $4, $5)", [
    q.engine,
    q.from,
    q.to,
    q.interval,
    q.by === "language",
  ]);
  const bounds = intervalsOf(rows, "requests", "share_requests", (r) => String(r.period));
  return {
    query: { ...q },
    kMinEvents: k,
    notes: [
      `Released units only, as in every answer (at least ${k} events each: docs/analytics.md); shares are of the period's released events.`,
      "With by=language, a language is shown where at least k events of a unit have it; the row with no language pools the rest.",
      "Category shares cover `classified` events only: this is what they leave out.",
    ],
    rows: rows.map((r, i) => ({
      period: String(r.period),
      outcome: r.outcome as Outcome, // analytics.coverage groups by the checked column
      language: r.language === null ? null : String(r.language),
      events: Number(r.events),
      estimated: Number(r.est_requests),
      share: num(r.share_requests),
      shareLow: bounds[i]?.low ?? null,
      shareHigh: bounds[i]?.high ?? null,
    })),
  };
}

export async function usageStats(
  pool: pg.Pool,
  q: UsageQuery & Range,
  pricePer1kUnits: number,
): Promise<UsageResponse> {
  const { rows } = await pool.query<Row>(
    `SELECT analytics.bucket($4, $2::date, day) AS period,
            coalesce(sum(events) FILTER (WHERE answer_source = 'google'), 0) AS calls,
            sum(units) AS units,
            coalesce(sum(events) FILTER (WHERE answer_source = 'cache'), 0) AS cache_hits
     FROM rollup_usage_daily
     WHERE engine = $1 AND day >= $2::date AND day < $3::date AND answer_source IN ('google', 'cache')
     GROUP BY 1 ORDER BY 1`,
    [q.engine, q.from, q.to, q.interval],
  );
  // Only Google's calls cost money: the emulator's and generated answers are counted, not priced.
  const priced = q.engine === "google";
  return {
    query: { ...q },
    pricePer1kUnits,
    notes: [
      priced
        ? "The estimate uses one price per 1,000 units (GOOGLE_PRICE_PER_1K_UNITS); Google's monthly free units and cheaper tiers are not applied."
        : `No call of engine ${q.engine} went to Google: \`calls\` count its answers, and \`estimatedCostUsd\` is null (nothing was billed).`,
      "Calls count one per stored event answered by Google; retries after 429s and 5xx are in census_google_calls_total, not here.",
    ],
    rows: rows.map((r) => {
      const calls = Number(r.calls);
      const cacheHits = Number(r.cache_hits);
      const units = Number(r.units);
      return {
        period: String(r.period),
        calls,
        units,
        estimatedCostUsd: priced ? (units / 1000) * pricePer1kUnits : null,
        cacheHits,
        cacheHitRate: calls + cacheHits > 0 ? cacheHits / (calls + cacheHits) : null,
      };
    }),
  };
}
