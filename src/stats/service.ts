import type pg from "pg";
import type {
  AuthorsQuery,
  AuthorsResponse,
  CategoriesQuery,
  CategoriesResponse,
  TagsQuery,
  TagsResponse,
} from "./schema";
import { type Cell, totalsOf } from "./totals";

// Each verb reads one analytics.* SQL function (the same ones analysts call), so the HTTP API and
// SQL give the same numbers and the privacy floor lives in one place.

type Range = { from: string; to: string };
type Weight = "tokens" | "requests" | "spend";
type Row = Record<string, unknown>;

const NOTES = {
  suppression: (k: number) =>
    `Cells backed by fewer than ${k} events are suppressed (numbers null); totals and shares use shown cells only.`,
  others:
    "Shares are among the named categories: `others` (the long tail) has numbers but no share, as in the study.",
  estimates:
    "`estimated` weighs each event by 1 / its sample rate: an estimate of the router's full traffic.",
  tags: "Tags describe all labels of the requests in a category (a roleplay request may carry an adult tag); an event counts once per tag, so tag totals overlap.",
  complementary:
    "Where an author's cell is suppressed, the smallest other author of that category is too, so the category total cannot give it away.",
};

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** Sample value, estimate and share column names of a weight in the analytics functions. */
function columns(weight: Weight) {
  if (weight === "requests") return { value: "events", estimated: "est_requests", share: "requests" };
  if (weight === "spend") return { value: "spend", estimated: "est_spend", share: "spend" };
  return { value: "tokens", estimated: "est_tokens", share: "tokens" };
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
  return {
    suppressed: Boolean(r.suppressed),
    events: num(r.events),
    value: num(r[c.value]),
    estimated: num(r[c.estimated]),
  };
}

function respond<R extends Cell>(
  query: Record<string, string | number | null>,
  k: number,
  notes: string[],
  rows: R[],
) {
  return {
    query,
    kMinEvents: k,
    notes: [NOTES.suppression(k), ...notes, NOTES.estimates],
    rows,
    totals: totalsOf(rows),
  };
}

export async function categoryStats(
  pool: pg.Pool,
  q: CategoriesQuery & Range,
  k: number,
): Promise<Omit<CategoriesResponse, "mapping">> {
  const share = columns(q.weight).share;
  const rows = (await call(pool, "category_share", q, q.model ?? null, q.author ?? null)).map((r) => ({
    period: String(r.period),
    category: String(r.category),
    ...measures(r, q.weight),
    share: num(r[`share_${share}`]),
  }));
  return respond({ ...q, model: q.model ?? null, author: q.author ?? null }, k, [NOTES.others], rows);
}

export async function tagStats(
  pool: pg.Pool,
  q: TagsQuery & Range,
  k: number,
): Promise<Omit<TagsResponse, "mapping">> {
  const share = columns(q.weight).share;
  const rows = (await call(pool, "tag_composition", q, q.category ?? null)).map((r) => ({
    period: String(r.period),
    category: String(r.category),
    tag: String(r.tag),
    ...measures(r, q.weight),
    share: num(r[`share_${share}`]),
  }));
  return respond({ ...q, category: q.category ?? null }, k, [NOTES.tags], rows);
}

export async function authorStats(
  pool: pg.Pool,
  q: AuthorsQuery & Range,
  k: number,
): Promise<Omit<AuthorsResponse, "mapping">> {
  const share = columns(q.weight).share;
  const rows = (await call(pool, "author_mix", q, q.category ?? null)).map((r) => ({
    period: String(r.period),
    author: r.author === null ? null : String(r.author), // a suppressed row names no author
    category: String(r.category),
    ...measures(r, q.weight),
    shareOfAuthor: num(r[`share_of_author_${share}`]),
    shareOfCategory: num(r[`share_of_category_${share}`]),
  }));
  return respond({ ...q, category: q.category ?? null }, k, [NOTES.complementary, NOTES.others], rows);
}
