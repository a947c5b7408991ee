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
