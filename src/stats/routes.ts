import { createRoute, OpenAPIHono, type z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type pg from "pg";
import type { KeyVerifier } from "../auth/keys";
import { requireScope } from "../auth/middleware";
import type { AppEnv } from "../http/context";
import { problemResponses, validationHook } from "../http/openapi";
import { AppError } from "../platform/errors";
import type { Engine, FloorGrain, Interval } from "../vocabulary";
import { toCsv } from "./csv";
import { defaultEngine, engineNotes, engineNotice } from "./engine";
import {
  authorsQuerySchema,
  authorsResponseSchema,
  categoriesQuerySchema,
  categoriesResponseSchema,
  coverageQuerySchema,
  coverageResponseSchema,
  resolveRange,
  sourcesQuerySchema,
  sourcesResponseSchema,
  tagsQuerySchema,
  tagsResponseSchema,
  usageQuerySchema,
  usageResponseSchema,
} from "./schema";
import { authorStats, categoryStats, coverageStats, sourceStats, tagStats, usageStats } from "./service";
import { snapWindow } from "./window";

// Every stats answer has one shape: a GET route made by statsRoute() from its query and response
// schemas (schema.ts), and a handler that widens the window and calls one service verb
// (service.ts). Each answers JSON, or its rows as CSV.

/** The study's three analyses: rows of released units with per-period totals; a 422 is a model
 * or author filter with no released unit in the window. */
const shares = {
  rows: "Rows (released units only: see `notes`) and per-period totals of them",
  problems: [400, 401, 403, 422, 503],
};

function statsRoute<Q extends z.ZodObject, R extends z.ZodType>(o: {
  path: `/v1/stats/${string}`;
  summary: string;
  query: Q;
  response: R;
  /** What the rows are (the 200's description). */
  rows: string;
  /** The problem statuses it can answer with (http/openapi.ts describes each). */
  problems: number[];
}) {
  return createRoute({
    method: "get",
    path: o.path,
    // statsCategories, statsTags, ...: the name a generated client gives the call
    operationId: `stats${o.path.charAt(10).toUpperCase()}${o.path.slice(11)}`,
    tags: ["stats"],
    summary: o.summary,
    description: "Send `Accept: text/csv` for the rows as CSV. Scope: read.",
    security: [{ bearer: [] }],
    request: { query: o.query },
    responses: {
      200: {
        description: o.rows,
        content: { "application/json": { schema: o.response }, "text/csv": { schema: { type: "string" } } },
      },
      ...problemResponses(...o.problems),
    },
  });
}

const categories = statsRoute({
  path: "/v1/stats/categories",
  summary:
    "Category share over time (figure 19; with source/origin, figures 6-7), weighted by tokens, requests or spend",
  query: categoriesQuerySchema,
  response: categoriesResponseSchema,
  ...shares,
});
const tags = statsRoute({
  path: "/v1/stats/tags",
  summary: "Tag composition within each category (figure 21)",
  query: tagsQuerySchema,
  response: tagsResponseSchema,
  ...shares,
});
const authors = statsRoute({
  path: "/v1/stats/authors",
  summary: "Category mix per model author, and each author's share within a category (figures 20, 22, 23)",
  query: authorsQuerySchema,
  response: authorsResponseSchema,
  ...shares,
});
const sources = statsRoute({
  path: "/v1/stats/sources",
  summary:
    "Each category's split across closed, Chinese open and rest-of-world open models, and unknown ones (figures 8-9)",
  query: sourcesQuerySchema,
  response: sourcesResponseSchema,
  rows: "Rows per period, category and model group (released units only: see `notes`) and per-period totals",
  problems: [400, 401, 403, 503],
});
const coverage = statsRoute({
  path: "/v1/stats/coverage",
  summary: "Share of sampled events classified, refused for their language, too short or invalid, per period",
  query: coverageQuerySchema,
  response: coverageResponseSchema,
  rows: "Rows per period and outcome (and language)",
  problems: [400, 401, 403, 503],
});
const usage = statsRoute({
  path: "/v1/stats/usage",
  summary: "Google calls, billable units, estimated cost and cache hits per period",
  query: usageQuerySchema,
  response: usageResponseSchema,
  rows: "Rows per period",
  problems: [400, 401, 403, 503],
});

/** The query's window: defaults filled in, checked, and widened to whole periods of its interval. */
function range(
  q: { from?: string | undefined; to?: string | undefined; interval: Interval },
  grain: FloorGrain,
) {
  const r = resolveRange(q);
  if (!r.valid) {
    throw new AppError("VALIDATION_FAILED", "`from` must be before `to`, at most 1,900 days apart.", {
      errors: [{ path: "from", message: "must be before `to`, at most 1,900 days apart" }],
    });
  }
  return snapWindow(q.interval, r.from, r.to, grain);
}

/** The window and the engine it answers from: the one asked for, else the one its data has. */
async function scope(
  pool: pg.Pool,
  q: { from?: string | undefined; to?: string | undefined; interval: Interval; engine?: Engine | undefined },
  grain: FloorGrain,
) {
  const w = range(q, grain);
  return { ...w, engine: q.engine ?? (await defaultEngine(pool, w.from, w.to)) };
}

type Body = { rows: Record<string, unknown>[]; notes: string[]; [field: string]: unknown };

/** JSON with the engine's notes first, or the rows as CSV with the engine and its notice in
 * headers (a comment row would break CSV readers). */
function respond(
  c: Context,
  body: Body,
  engine: Engine,
  named: boolean,
  csvRows: Record<string, unknown>[] = body.rows,
) {
  if ((c.req.header("accept") ?? "").includes("text/csv")) {
    const notice = engineNotice(engine);
    return c.body(toCsv(csvRows), 200, {
      "content-type": "text/csv; charset=utf-8",
      "census-engine": engine,
      ...(notice ? { "census-notice": notice } : {}),
    });
  }
  return c.json({ ...body, notes: [...engineNotes(engine, named), ...body.notes] }, 200);
}

export function statsRoutes(deps: {
  pool: pg.Pool;
  verifyKey: KeyVerifier;
  kMinEvents: number;
  /** FLOOR_GRAIN: windows widen to whole grains of it, as the SQL functions do. */
  floorGrain: FloorGrain;
  pricePer1kUnits: number;
  /** Which scheme the numbers come from: said in every category answer. */
  mapping: { scheme: string; version: string };
}) {
  const { pool, kMinEvents: k, mapping } = deps;
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.use("/v1/stats/*", requireScope(deps.verifyKey, "read"));
  app.openapi(categories, async (c) => {
    const q = c.req.valid("query");
    const w = await scope(pool, q, deps.floorGrain);
    const body = { ...(await categoryStats(pool, { ...q, ...w }, k, deps.floorGrain)), mapping };
    const named = q.engine !== undefined;
    if (q.adjust === undefined) return respond(c, body, w.engine, named);
    const { withAdjustment } = await import("../eval/adjust-answer");
    const adjusted = await withAdjustment(pool, q.adjust, body, { engine: w.engine, scheme: mapping.scheme });
    return respond(
      c,
      adjusted,
      w.engine,
      named,
      adjusted.adjusted.rows.map((r) => ({ ...r })),
    );
  });
  app.openapi(tags, async (c) => {
    const q = c.req.valid("query");
    const w = await scope(pool, q, deps.floorGrain);
    const body = { ...(await tagStats(pool, { ...q, ...w }, k, deps.floorGrain)), mapping };
    return respond(c, body, w.engine, q.engine !== undefined);
  });
  app.openapi(authors, async (c) => {
    const q = c.req.valid("query");
    const w = await scope(pool, q, deps.floorGrain);
    const body = { ...(await authorStats(pool, { ...q, ...w }, k, deps.floorGrain)), mapping };
    return respond(c, body, w.engine, q.engine !== undefined);
  });
  app.openapi(sources, async (c) => {
    const q = c.req.valid("query");
    const w = await scope(pool, q, deps.floorGrain);
    const body = { ...(await sourceStats(pool, { ...q, ...w }, k, deps.floorGrain)), mapping };
    return respond(c, body, w.engine, q.engine !== undefined);
  });
  app.openapi(coverage, async (c) => {
    const q = c.req.valid("query");
    const w = await scope(pool, q, deps.floorGrain);
    return respond(c, await coverageStats(pool, { ...q, ...w }, k), w.engine, q.engine !== undefined);
  });
  app.openapi(usage, async (c) => {
    const q = c.req.valid("query");
    const w = await scope(pool, q, "day");
    const body = await usageStats(pool, { ...q, ...w }, deps.pricePer1kUnits);
    return respond(c, body, w.engine, q.engine !== undefined);
  });
  return app;
}
