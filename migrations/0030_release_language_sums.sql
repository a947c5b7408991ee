-- Issue 19, item 3: release_breakdown_daily's language rows summed per engine, period, outcome and
-- language (the pooled hidden languages as language NULL), so /v1/stats/coverage?by=language
-- reads one row per language a period instead of one per released unit, category and language
-- (its cost grew with the data: p95 ~240 ms at 10M events, ~2 s at 100M). Kept by the refresh
-- that writes the language rows (census_sum_languages, sql/floor.sql: generated in 0032_scale_sql). Sums of
-- released rows only: analysts read it through analytics.coverage, never directly (no grant).
-- Unique with NULLs equal: a second sum of one (period, outcome, language) would double it, so it
-- fails instead.
CREATE TABLE "release_language_daily" (
	"day" date NOT NULL,
	"engine" text NOT NULL,
	"outcome" text NOT NULL,
	"language" text,
	"events" bigint NOT NULL,
	"est_requests" double precision NOT NULL,
	"var_requests" double precision NOT NULL,
	CONSTRAINT "release_language_daily_key" UNIQUE NULLS NOT DISTINCT("engine","day","outcome","language")
);
--> statement-breakpoint
INSERT INTO release_language_daily (day, engine, outcome, language, events, est_requests, var_requests)
SELECT day, engine, outcome, value, sum(events), sum(est_requests), sum(var_requests)
FROM release_breakdown_daily WHERE kind = 'language'
GROUP BY day, engine, outcome, value;
--> statement-breakpoint
-- The reader, as sql/floor.sql defines it (0032_scale_sql replaces it with the same text), made here so its
-- EXECUTE can be revoked like census_released_breakdown's: CREATE OR REPLACE keeps the revoke.
CREATE OR REPLACE FUNCTION public.census_released_languages(p_engine text, p_from date, p_to date)
 RETURNS TABLE(day date, outcome text, language text, events bigint, est_requests double precision, var_requests double precision)
 LANGUAGE sql
 STABLE
AS $function$
  SELECT day, outcome, language, events, est_requests, var_requests
  FROM release_language_daily WHERE engine = p_engine AND day >= p_from AND day < p_to
$function$;
--> statement-breakpoint
REVOKE EXECUTE ON FUNCTION census_released_languages(text, date, date) FROM PUBLIC;
