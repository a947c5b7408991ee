import type pg from "pg";
import type {
  AuthorsQuery,
  AuthorsResponse,
  CategoriesQuery,
  CategoriesResponse,
  TagsQuery,
  TagsResponse,
} from "./schema";
import { totalsOf } from "./totals";

// Each verb reads one analytics.* SQL function (the same ones analysts call), so the HTTP API and
// SQL give the same numbers and the privacy floor lives in one place.

type Range = { from: string; to: string };
type Weight = "tokens" | "requests" | "spend";

const NOTES = {
  suppression: (k: number) =>
    `Cells backed by fewer than ${k} events are suppressed (numbers null); totals and shares use shown cells only.`,
  others:
    "Shares are among the named categories: `others` (the long tail) has numbers but no share, as in the study.",
  estimates:
    "`estimated` weighs each event by 1 / its sample rate: an estimate of the router's full traffic.",
};

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** Sample value, estimate and share column names of a weight in the analytics functions. */
function columns(weight: Weight) {
  if (weight === "requests") return { value: "events", estimated: "est_requests", share: "requests" };
  if (weight === "spend") return { value: "spend", estimated: "est_spend", share: "spend" };
  return { value: "tokens", estimated: "est_tokens", share: "tokens" };
}

export async function categoryStats(
  pool: pg.Pool,
  q: CategoriesQuery & Range,
  k: number,
): Promise<CategoriesResponse> {
  const c = columns(q.weight);
  const { rows } = await pool.query("SELECT * FROM analytics.category_share($1, $2, $3, $4, $5, $6)", [
    q.engine,
    q.from,
    q.to,
    q.interval,
    q.model ?? null,
    q.author ?? null,
  ]);
  const out = rows.map((r) => ({
    period: iso(r.period),
    category: String(r.category),
    suppressed: Boolean(r.suppressed),
    events: num(r.events),
    value: num(r[c.value]),
    estimated: num(r[c.estimated]),
    share: num(r[`share_${c.share}`]),
  }));
  return {
    query: { ...q, model: q.model ?? null, author: q.author ?? null },
    kMinEvents: k,
    notes: [NOTES.suppression(k), NOTES.others, NOTES.estimates],
    rows: out,
    totals: totalsOf(out),
  };
}

export async function tagStats(pool: pg.Pool, q: TagsQuery & Range, k: number): Promise<TagsResponse> {
  const c = columns(q.weight);
  const { rows } = await pool.query("SELECT * FROM analytics.tag_composition($1, $2, $3, $4, $5)", [
    q.engine,
    q.from,
    q.to,
    q.interval,
    q.category ?? null,
  ]);
  const out = rows.map((r) => ({
    period: iso(r.period),
    category: String(r.category),
    tag: String(r.tag),
    suppressed: Boolean(r.suppressed),
    events: num(r.events),
    value: num(r[c.value]),
    estimated: num(r[c.estimated]),
    share: num(r[`share_${c.share}`]),
  }));
  return {
    query: { ...q, category: q.category ?? null },
    kMinEvents: k,
    notes: [
      NOTES.suppression(k),
      "Tags describe all labels of the requests in a category (a roleplay request may carry an adult tag); an event counts once per tag, so tag totals overlap.",
      NOTES.estimates,
    ],
    rows: out,
    totals: totalsOf(out),
  };
}

export async function authorStats(
  pool: pg.Pool,
  q: AuthorsQuery & Range,
  k: number,
): Promise<AuthorsResponse> {
  const c = columns(q.weight);
  const { rows } = await pool.query("SELECT * FROM analytics.author_mix($1, $2, $3, $4, $5)", [
    q.engine,
    q.from,
    q.to,
    q.interval,
    q.category ?? null,
  ]);
  const out = rows.map((r) => ({
    period: iso(r.period),
    author: String(r.author),
    category: String(r.category),
    suppressed: Boolean(r.suppressed),
    events: num(r.events),
    value: num(r[c.value]),
    estimated: num(r[c.estimated]),
    shareOfAuthor: num(r[`share_of_author_${c.share}`]),
    shareOfCategory: num(r[`share_of_category_${c.share}`]),
  }));
  return {
    query: { ...q, category: q.category ?? null },
    kMinEvents: k,
    notes: [
      NOTES.suppression(k),
      "Where an author's cell is suppressed, the smallest other author of that category is too, so the category total cannot give it away.",
      NOTES.others,
      NOTES.estimates,
    ],
    rows: out,
    totals: totalsOf(out),
  };
}

function iso(d: unknown): string {
  return d instanceof Date ? d.toISOString().slice(0, 10) : String(d).slice(0, 10);
}
