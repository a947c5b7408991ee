import { createRoute, z } from "@hono/zod-openapi";
import type pg from "pg";
import { problemResponses } from "../http/openapi";
import { commonQuery } from "./schema";

// Google usage and what the cache saves: GET /v1/stats/usage. Counts of calls and units per
// period, by how each answer was obtained (a Google call or the cache), never by what it was: no
// category, model, language or outcome, so it carries no privacy floor; its sums add up to the
// bill. It used to give the events of a period and the pre-skipped ones (too_short, an outcome):
// with calls and cache hits exact, that split a day's hidden events by outcome. The stats answers
// count events (released ones); census_google_calls_avoided_total counts pre-skips for operators.

export const usageQuerySchema = z.object({
  ...commonQuery,
  interval: commonQuery.interval.removeDefault().default("day"),
});

const row = z.object({
  period: z.iso.date(),
  calls: z
    .number()
    .int()
    .openapi({ description: "Events answered by a Google call (one billable call each)" }),
  units: z
    .number()
    .int()
    .openapi({ description: "Billable units: one per started 1,000 characters of each answered call" }),
  estimatedCostUsd: z.number().openapi({ description: "units / 1,000 x GOOGLE_PRICE_PER_1K_UNITS" }),
  cacheHits: z
    .number()
    .int()
    .openapi({ description: "Events answered from the classification cache: calls avoided" }),
  cacheHitRate: z.number().nullable().openapi({ description: "cacheHits / (cacheHits + calls)" }),
});

export const usageResponseSchema = z
  .object({
    query: z.record(z.string(), z.union([z.string(), z.number(), z.null()])),
    pricePer1kUnits: z.number(),
    notes: z.array(z.string()),
    rows: z.array(row),
  })
  .openapi("UsageStats");

export const usageRoute = createRoute({
  method: "get",
  path: "/v1/stats/usage",
  tags: ["stats"],
  summary: "Google calls, billable units, estimated cost and cache hits per period",
  description: "Send `Accept: text/csv` for the rows as CSV. Scope: read.",
  security: [{ bearer: [] }],
  request: { query: usageQuerySchema },
  responses: {
    200: {
      description: "Rows per period",
      content: {
        "application/json": { schema: usageResponseSchema },
        "text/csv": { schema: { type: "string" } },
      },
    },
    ...problemResponses(400, 401, 403, 503),
  },
});

export type UsageQuery = z.infer<typeof usageQuerySchema>;

export async function usageStats(
  pool: pg.Pool,
  q: UsageQuery & { from: string; to: string },
  pricePer1kUnits: number,
): Promise<z.infer<typeof usageResponseSchema>> {
  const { rows } = await pool.query<Record<string, string>>(
    `SELECT analytics.bucket($4, $2::date, day) AS period,
            coalesce(sum(events) FILTER (WHERE answer_source = 'google'), 0) AS calls,
            sum(units) AS units,
            coalesce(sum(events) FILTER (WHERE answer_source = 'cache'), 0) AS cache_hits
     FROM rollup_usage_daily
     WHERE engine = $1 AND day >= $2::date AND day < $3::date AND answer_source IN ('google', 'cache')
     GROUP BY 1 ORDER BY 1`,
    [q.engine, q.from, q.to, q.interval],
  );
  return {
    query: { ...q },
    pricePer1kUnits,
    notes: [
      "The estimate uses one price per 1,000 units (GOOGLE_PRICE_PER_1K_UNITS); Google's monthly free units and cheaper tiers are not applied.",
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
        estimatedCostUsd: (units / 1000) * pricePer1kUnits,
        cacheHits,
        cacheHitRate: calls + cacheHits > 0 ? cacheHits / (calls + cacheHits) : null,
      };
    }),
  };
}
