import { createRoute, OpenAPIHono, type z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type pg from "pg";
import type { KeyVerifier } from "../auth/keys";
import { requireScope } from "../auth/middleware";
import type { AppEnv } from "../http/context";
import { problemResponses, validationHook } from "../http/openapi";
import { AppError } from "../platform/errors";
import type { Interval } from "../vocabulary";
import { type CoverageQuery, coverageRoute, coverageStats } from "./coverage";
import { toCsv } from "./csv";
import {
  authorsQuerySchema,
  authorsResponseSchema,
  categoriesQuerySchema,
  categoriesResponseSchema,
  resolveRange,
  tagsQuerySchema,
  tagsResponseSchema,
} from "./schema";
import { authorStats, categoryStats, tagStats } from "./service";
import { type UsageQuery, usageRoute, usageStats } from "./usage";
import { snapWindow } from "./window";

const csvNote = "Send `Accept: text/csv` for the rows as CSV.";

function statsRoute<Q extends z.ZodType, R extends z.ZodType>(
  path: string,
  summary: string,
  query: Q,
  response: R,
) {
  return createRoute({
    method: "get",
    path,
    tags: ["stats"],
    summary,
    description: `${csvNote} Scope: read.`,
    security: [{ bearer: [] }],
    request: { query: query as never },
    responses: {
      200: {
        description: "Rows (released units only: see `notes`) and per-period totals of them",
        content: { "application/json": { schema: response }, "text/csv": { schema: { type: "string" } } },
      },
      ...problemResponses(400, 401, 403, 422, 503),
    },
  });
}

const categories = statsRoute(
  "/v1/stats/categories",
  "Category share over time (figure 19), weighted by tokens, requests or spend",
  categoriesQuerySchema,
  categoriesResponseSchema,
);
const tags = statsRoute(
  "/v1/stats/tags",
  "Tag composition within each category (figure 21)",
  tagsQuerySchema,
  tagsResponseSchema,
);
const authors = statsRoute(
  "/v1/stats/authors",
  "Category mix per model author, and each author's share within a category (figures 20, 22, 23)",
  authorsQuerySchema,
  authorsResponseSchema,
);

/** The query's window: defaults filled in, checked, and widened to whole periods of its interval. */
function range(q: { from?: string | undefined; to?: string | undefined; interval: Interval }) {
  const r = resolveRange(q);
  if (!r.valid) {
    throw new AppError("VALIDATION_FAILED", "`from` must be before `to`, at most 1,900 days apart.", {
      errors: [{ path: "from", message: "must be before `to`, at most 1,900 days apart" }],
    });
  }
  return snapWindow(q.interval, r.from, r.to);
}

function respond(c: Context, body: { rows: Record<string, unknown>[]; [field: string]: unknown }) {
  if ((c.req.header("accept") ?? "").includes("text/csv")) {
    return c.body(toCsv(body.rows), 200, { "content-type": "text/csv; charset=utf-8" });
  }
  return c.json(body, 200);
}

export function statsRoutes(deps: {
  pool: pg.Pool;
  verifyKey: KeyVerifier;
  kMinEvents: number;
  pricePer1kUnits: number;
  /** Which scheme the numbers come from: said in every category answer. */
  mapping: { scheme: string; version: string };
}) {
  const { mapping } = deps;
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.use("/v1/stats/*", requireScope(deps.verifyKey, "read"));
  app.openapi(categories, async (c) => {
    const q = c.req.valid("query") as z.infer<typeof categoriesQuerySchema>;
    const body = await categoryStats(deps.pool, { ...q, ...range(q) }, deps.kMinEvents);
    return respond(c, { ...body, mapping }) as never;
  });
  app.openapi(tags, async (c) => {
    const q = c.req.valid("query") as z.infer<typeof tagsQuerySchema>;
    const body = await tagStats(deps.pool, { ...q, ...range(q) }, deps.kMinEvents);
    return respond(c, { ...body, mapping }) as never;
  });
  app.openapi(authors, async (c) => {
    const q = c.req.valid("query") as z.infer<typeof authorsQuerySchema>;
    const body = await authorStats(deps.pool, { ...q, ...range(q) }, deps.kMinEvents);
    return respond(c, { ...body, mapping }) as never;
  });
  app.openapi(coverageRoute, async (c) => {
    const q = c.req.valid("query") as CoverageQuery;
    return respond(c, await coverageStats(deps.pool, { ...q, ...range(q) }, deps.kMinEvents)) as never;
  });
  app.openapi(usageRoute, async (c) => {
    const q = c.req.valid("query") as UsageQuery;
    return respond(c, await usageStats(deps.pool, { ...q, ...range(q) }, deps.pricePer1kUnits)) as never;
  });
  return app;
}
