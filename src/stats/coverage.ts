import { createRoute, z } from "@hono/zod-openapi";
import type pg from "pg";
import { problemResponses } from "../http/openapi";
import { outcomes } from "../vocabulary";
import { commonQuery } from "./schema";

// What the category shares leave out: GET /v1/stats/coverage. Per period, the share of sampled
// events Google classified, refused for their language (by language with `by=language`), found
// too short, or refused as invalid. Reads analytics.coverage, with the privacy floor.

export const coverageQuerySchema = z.object({
  ...commonQuery,
  by: z
    .enum(["outcome", "language"])
    .default("outcome")
    .openapi({ description: "One row per outcome, or per outcome and language (the refused languages)" }),
});

const row = z.object({
  period: z.iso.date(),
  outcome: z.enum(outcomes),
  language: z.string().nullable().openapi({
    description:
      "With by=language: the language (`und` when none was detected); null pools the languages under the floor",
  }),
  events: z.number().int(),
  estimated: z.number().openapi({ description: "Requests in the router's traffic (1 / sample rate each)" }),
  share: z
    .number()
    .nullable()
    .openapi({ description: "Of the period's released events, by estimated requests" }),
});

export const coverageResponseSchema = z
  .object({
    query: z.record(z.string(), z.union([z.string(), z.number(), z.null()])),
    kMinEvents: z.number().int(),
    notes: z.array(z.string()),
    rows: z.array(row),
  })
  .openapi("CoverageStats");

export const coverageRoute = createRoute({
  method: "get",
  path: "/v1/stats/coverage",
  tags: ["stats"],
  summary: "Share of sampled events classified, refused for their language, too short or invalid, per period",
  description: "Send `Accept: text/csv` for the rows as CSV. Scope: read.",
  security: [{ bearer: [] }],
  request: { query: coverageQuerySchema },
  responses: {
    200: {
      description: "Rows per period and outcome (and language)",
      content: {
        "application/json": { schema: coverageResponseSchema },
        "text/csv": { schema: { type: "string" } },
      },
    },
    ...problemResponses(400, 401, 403, 503),
  },
});

export type CoverageQuery = z.infer<typeof coverageQuerySchema>;

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

export async function coverageStats(
  pool: pg.Pool,
  q: CoverageQuery & { from: string; to: string },
  k: number,
): Promise<z.infer<typeof coverageResponseSchema>> {
  const { rows } = await pool.query<Record<string, unknown>>(
    "SELECT * FROM analytics.coverage($1, $2, $3, $4, $5)",
    [q.engine, q.from, q.to, q.interval, q.by === "language"],
  );
  return {
    query: { ...q },
    kMinEvents: k,
    notes: [
      `Released units only, as in every answer (at least ${k} events each: docs/analytics.md); shares are of the period's released events.`,
      "With by=language, a language is shown where at least k events of a unit have it; the row with no language pools the rest.",
      "Category shares cover `classified` events only: this is what they leave out.",
    ],
    rows: rows.map((r) => ({
      period: String(r.period),
      outcome: r.outcome as (typeof outcomes)[number],
      language: r.language === null ? null : String(r.language),
      events: Number(r.events),
      estimated: Number(r.est_requests),
      share: num(r.share_requests),
    })),
  };
}
