-- Model groups as a level of the release units (issue 21, item 2; sql/floor.sql "THE RULE"): each
-- released unit is of one group (analytics.model_group: closed-china, closed-row, oss-china,
-- oss-row, unknown), so a filter by source or origin sums whole units. The rows written before
-- this have no group: 0025 rebuilds them once 0024 has defined the functions that know groups.
ALTER TABLE "release_unit_daily" ADD COLUMN "source_group" text DEFAULT 'unknown' NOT NULL;
--> statement-breakpoint
ALTER TABLE "release_breakdown_daily" ADD COLUMN "source_group" text DEFAULT 'unknown' NOT NULL;
--> statement-breakpoint
-- The functions whose columns or arguments change (CREATE OR REPLACE cannot): 0024 defines them
-- again, and with them analytics.category_weekly, which the CASCADE takes.
DROP FUNCTION public.census_release_cells_of(text, text, date[], text[], text[]);
--> statement-breakpoint
DROP FUNCTION public.census_released_cells(text, date, date);
--> statement-breakpoint
DROP FUNCTION public.census_released_breakdown(text, text, date, date);
--> statement-breakpoint
DROP FUNCTION analytics.category_share(text, date, date, text, text, text) CASCADE;
--> statement-breakpoint
-- A model's group and trait per period as the catalogue stood when its units were first released
-- (sql/floor.sql census_model_facts): a catalogue change applies from a cutoff on, never to
-- released units.
CREATE TABLE "model_group_history" (
  "model" text NOT NULL,
  "since" date NOT NULL,
  "source_group" text NOT NULL,
  "trait" text NOT NULL,
  CONSTRAINT "model_group_history_pkey" PRIMARY KEY ("model", "since")
);
--> statement-breakpoint
-- reasoning and size become one breakdown, 'trait' (0025 rebuilds the units and breakdowns)
DELETE FROM release_breakdown_daily WHERE kind IN ('reasoning', 'size');
