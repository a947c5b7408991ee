import { z } from "@hono/zod-openapi";
import { CATEGORIES } from "../taxonomy/mapping";
import {
  CALIBRATION_NAME,
  CALIBRATION_NAME_RULE,
  engines,
  FIRST_DAY,
  intervals,
  modelOrigins,
  modelSizes,
  modelSources,
  outcomes,
  PRINTABLE,
} from "../vocabulary";
import { answerGroups } from "./groups";

// Every parameter is checked before it reaches Postgres, which refuses year 0, dates past 5874897
// and NUL bytes: bad queries are 400s naming the parameter, never 500s.
export const LAST_DAY = "2100-01-01";
const isoDate = z.iso
  .date()
  .refine((d) => d >= FIRST_DAY && d <= LAST_DAY, `must be between ${FIRST_DAY} and ${LAST_DAY}`);
const printable = (max: number) =>
  z.string().min(1).max(max).regex(PRINTABLE, "must not contain control characters");

const DAY = 86_400_000;
const today = () => new Date(Math.floor(Date.now() / DAY) * DAY);
const iso = (d: Date) => d.toISOString().slice(0, 10);
const maxDay = (a: string, b: string) => (a > b ? a : b);

export const commonQuery = {
  from: isoDate.optional().openapi({
    description: "First day (UTC), inclusive. Default: 26 weeks before `to`.",
    example: "2025-05-01",
  }),
  to: isoDate
    .optional()
    .openapi({ description: "Last day (UTC), exclusive. Default: tomorrow.", example: "2025-12-01" }),
  interval: z.enum(intervals).default("week").openapi({
    description: "Period of each row; `range` gives one period for the whole range (weeks start on Monday).",
  }),
  engine: z.enum(engines).optional().openapi({
    description:
      "Which classifier's events: never mixed in one answer. Default: google when the window has released Google data, else the engine it has (`synthetic` after `census demo`, `emulator` on a machine without Google credentials); the answer names it in `query.engine`, and says in `notes` (for CSV, the `Census-Notice` header) when it is not Google's.",
  }),
};

const weight3 = z
  .enum(["tokens", "requests", "spend"])
  .default("tokens")
  .openapi({ description: "What a share measures: tokens (prompt + completion), requests, or spend (USD)." });

const category = z.enum(CATEGORIES).optional();

export const categoriesQuerySchema = z.object({
  ...commonQuery,
  weight: weight3,
  model: printable(256)
    .optional()
    .openapi({ description: "Only this model, e.g. anthropic/claude-sonnet-4.5" }),
  author: printable(128).optional().openapi({ description: "Only this model author (the part before /)" }),
  source: z.enum(modelSources).optional().openapi({
    description:
      "Only models the catalogue (config/models/, `census catalogue check`) lists as open-weight (`oss`) or closed; models it does not know are in neither",
  }),
  origin: z.enum(modelOrigins).optional().openapi({
    description:
      "Only models whose author the catalogue places in China (`china`) or the rest of the world (`row`); with `source=oss`, figure 7's Chinese open models",
  }),
  reasoning: z.enum(["true", "false", "unknown"]).optional().openapi({
    description:
      "Only events of reasoning models (`true`), of others (`false`), or of models the catalogue does not say (`unknown`): the category mix within them, from the reasoning breakdown of released units (weights tokens and requests)",
  }),
  size: z
    .enum([...modelSizes, "unknown"])
    .optional()
    .openapi({
      description:
        "Only events of open models of this size class (small < 15B, medium 15-70B, large >= 70B parameters); `unknown` is models of no known size, closed ones included. From the size breakdown of released units (weights tokens and requests)",
    }),
  adjust: z.string().regex(CALIBRATION_NAME, CALIBRATION_NAME_RULE).optional().openapi({
    description:
      "A calibration stored by `census eval FILE --save NAME`: adds misclassification-adjusted shares (`adjusted`) with 95% intervals that include the calibration set's own uncertainty (docs/analytics.md, when it is valid)",
  }),
});

export const tagsQuerySchema = z.object({
  ...commonQuery,
  interval: commonQuery.interval.removeDefault().default("range"),
  weight: z.enum(["tokens", "requests"]).default("tokens"),
  category,
});

export const authorsQuerySchema = z.object({
  ...commonQuery,
  interval: commonQuery.interval.removeDefault().default("range"),
  weight: weight3,
  category,
});

export const sourcesQuerySchema = z.object({
  ...commonQuery,
  weight: weight3,
  category: category.openapi({ description: "Only this category (figure 8: programming, 9: roleplay)" }),
});

export const coverageQuerySchema = z.object({
  ...commonQuery,
  by: z
    .enum(["outcome", "language"])
    .default("outcome")
    .openapi({ description: "One row per outcome, or per outcome and language (the refused languages)" }),
});

export const usageQuerySchema = z.object({
  ...commonQuery,
  interval: commonQuery.interval.removeDefault().default("day"),
});

/** Resolves default dates and checks the range (at most ~5 years, `from` before `to`). */
export function resolveRange(q: { from?: string | undefined; to?: string | undefined }) {
  const to = q.to ?? iso(new Date(today().getTime() + DAY));
  const from = q.from ?? maxDay(FIRST_DAY, iso(new Date(new Date(to).getTime() - 26 * 7 * DAY)));
  const span = (new Date(to).getTime() - new Date(from).getTime()) / DAY;
  return { from, to, valid: span > 0 && span <= 1900 };
}

const cell = {
  period: z.iso.date(),
  events: z.number().openapi({ description: "Classified requests in the sample (at least K_MIN_EVENTS)" }),
  value: z.number().openapi({ description: "Sample total of the weight" }),
  estimated: z
    .number()
    .openapi({ description: "Population estimate: each event weighs 1 / its sample rate" }),
};

const shareLow = z.number().nullable().openapi({
  description:
    "Lower end of the share's 95% interval (sampling error; released units only): docs/analytics.md",
});
const shareHigh = z.number().nullable().openapi({ description: "Upper end of the share's 95% interval" });

const totalRow = z.object({
  period: z.iso.date(),
  events: z.number(),
  value: z.number(),
  estimated: z.number(),
});

/** What every answer says besides its rows. */
const answered = {
  query: z.record(z.string(), z.union([z.string(), z.number(), z.null()])).openapi({
    description: "The query as answered: `from` and `to` widened to whole periods of the interval",
  }),
  notes: z.array(z.string()),
};

const meta = {
  query: answered.query,
  mapping: z.object({ scheme: z.string(), version: z.string() }).openapi({
    description:
      "The mapping scheme and version the service tags with (MAPPING). Events keep the version they were mapped with: after a change, `census remap` brings history to it.",
  }),
  kMinEvents: z.number().int(),
  notes: answered.notes,
  totals: z.array(totalRow).openapi({
    description: "Per period, the sum of the rows: released units only, like every number here.",
  }),
};

const adjustedSchema = z
  .object({
    calibration: z.object({
      name: z.string(),
      scheme: z.string(),
      mappingVersion: z.string(),
      engine: z.string(),
      texts: z.number().int().openapi({ description: "Classified texts in the calibration set" }),
      createdAt: z.string(),
    }),
    method: z.string(),
    rows: z.array(
      z.object({
        period: z.iso.date(),
        category: z.string(),
        share: z.number().openapi({ description: "Adjusted share among the named categories" }),
        shareLow: z.number(),
        shareHigh: z.number(),
      }),
    ),
  })
  .openapi({ description: "With `adjust`: shares corrected for the classifier's confusion, per period" });

export const categoriesResponseSchema = z
  .object({
    ...meta,
    rows: z.array(
      z.object({ ...cell, category: z.string(), share: z.number().nullable(), shareLow, shareHigh }),
    ),
    adjusted: adjustedSchema.optional(),
  })
  .openapi("CategoryStats");

export const tagsResponseSchema = z
  .object({
    ...meta,
    rows: z.array(
      z.object({
        ...cell,
        category: z.string(),
        tag: z.string(),
        share: z.number().nullable(),
        shareLow,
        shareHigh,
      }),
    ),
  })
  .openapi("TagStats");

export const authorsResponseSchema = z
  .object({
    ...meta,
    rows: z.array(
      z.object({
        ...cell,
        author: z.string().nullable().openapi({
          description:
            "null on the row that pools the authors each under the floor that day: counted, never named",
        }),
        category: z.string(),
        shareOfAuthor: z
          .number()
          .nullable()
          .openapi({ description: "The category's share of the author's weight (named categories only)" }),
        shareOfAuthorLow: shareLow,
        shareOfAuthorHigh: shareHigh,
        shareOfCategory: z
          .number()
          .nullable()
          .openapi({ description: "The row's share of the category's weight (the pool included)" }),
        shareOfCategoryLow: shareLow,
        shareOfCategoryHigh: shareHigh,
      }),
    ),
  })
  .openapi("AuthorStats");

export const sourcesResponseSchema = z
  .object({
    ...meta,
    rows: z.array(
      z.object({
        ...cell,
        category: z.string(),
        group: z.enum(answerGroups).openapi({
          description:
            "The model group by the catalogue: closed, oss-china, oss-row (rest of the world), or unknown (a model the catalogue does not know: counted, never guessed)",
        }),
        shareOfCategory: z
          .number()
          .nullable()
          .openapi({ description: "The group's share of the category's weight, every group included" }),
        shareLow,
        shareHigh,
      }),
    ),
  })
  .openapi("SourceStats");

// What the category shares leave out, per period: the share of sampled events Google classified,
// refused for their language (by language with `by=language`), found too short, or refused as
// invalid. With the privacy floor, like the shares.
export const coverageResponseSchema = z
  .object({
    query: answered.query,
    kMinEvents: meta.kMinEvents,
    notes: answered.notes,
    rows: z.array(
      z.object({
        period: z.iso.date(),
        outcome: z.enum(outcomes),
        language: z.string().nullable().openapi({
          description:
            "With by=language: the language (`und` when none was detected); null pools the languages under the floor",
        }),
        events: z.number().int(),
        estimated: z
          .number()
          .openapi({ description: "Requests in the router's traffic (1 / sample rate each)" }),
        share: z
          .number()
          .nullable()
          .openapi({ description: "Of the period's released events, by estimated requests" }),
        shareLow,
        shareHigh,
      }),
    ),
  })
  .openapi("CoverageStats");

// Google usage and what the cache saves, per period: counts of calls and units by how each answer
// was obtained (a Google call or the cache), never by what it was: no category, model, language
// or outcome, so it carries no privacy floor; its sums add up to the bill. It used to give the
// events of a period and the pre-skipped ones (too_short, an outcome): with calls and cache hits
// exact, that split a day's hidden events by outcome. The stats answers count events (released
// ones); census_google_calls_avoided_total counts pre-skips for operators.
export const usageResponseSchema = z
  .object({
    query: answered.query,
    pricePer1kUnits: z.number(),
    notes: answered.notes,
    rows: z.array(
      z.object({
        period: z.iso.date(),
        calls: z
          .number()
          .int()
          .openapi({ description: "Events answered by a Google call (one billable call each)" }),
        units: z.number().int().openapi({
          description: "Billable units: one per started 1,000 characters of each answered call",
        }),
        estimatedCostUsd: z.number().nullable().openapi({
          description:
            "units / 1,000 x GOOGLE_PRICE_PER_1K_UNITS; null when no call went to Google (engine emulator or synthetic)",
        }),
        cacheHits: z
          .number()
          .int()
          .openapi({ description: "Events answered from the classification cache: calls avoided" }),
        cacheHitRate: z.number().nullable().openapi({ description: "cacheHits / (cacheHits + calls)" }),
      }),
    ),
  })
  .openapi("UsageStats");

export type CategoriesQuery = z.infer<typeof categoriesQuerySchema>;
export type TagsQuery = z.infer<typeof tagsQuerySchema>;
export type AuthorsQuery = z.infer<typeof authorsQuerySchema>;
export type CategoriesResponse = z.infer<typeof categoriesResponseSchema>;
export type TagsResponse = z.infer<typeof tagsResponseSchema>;
export type AuthorsResponse = z.infer<typeof authorsResponseSchema>;
export type SourcesQuery = z.infer<typeof sourcesQuerySchema>;
export type SourcesResponse = z.infer<typeof sourcesResponseSchema>;
export type CoverageQuery = z.infer<typeof coverageQuerySchema>;
export type UsageQuery = z.infer<typeof usageQuerySchema>;
export type CoverageResponse = z.infer<typeof coverageResponseSchema>;
export type UsageResponse = z.infer<typeof usageResponseSchema>;
