-- The engine a query answers from when it names none (issue 18): a fresh install classifies with
-- the emulator and `census demo` writes engine 'synthetic', so views and default queries fixed on
-- 'google' came back empty with no hint. Google when the window has any released unit of it, else
-- the engine with the most released events there; 'google' when nothing is released. It reads
-- released units only (never the rollups), so like every answer it depends on nothing the privacy
-- floor hides: two data sets that differ inside hidden units pick the same engine.
CREATE FUNCTION analytics.default_engine(p_from date DEFAULT '-infinity', p_to date DEFAULT 'infinity')
RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, analytics, pg_temp AS $$
  SELECT CASE
    -- the usual case, one index probe: Google's events are there
    WHEN EXISTS (SELECT 1 FROM release_unit_daily WHERE engine = 'google' AND day >= p_from AND day < p_to)
      THEN 'google'
    ELSE coalesce((SELECT engine FROM release_unit_daily WHERE day >= p_from AND day < p_to
      GROUP BY engine ORDER BY sum(events) DESC, engine LIMIT 1), 'google')
  END
$$;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION analytics.default_engine(date, date) TO census_analyst;
--> statement-breakpoint

-- The weekly views answer from the engine the data has, not from 'google' only (same columns:
-- CREATE OR REPLACE keeps each view's grants). `SELECT analytics.default_engine()` says which.
CREATE OR REPLACE VIEW analytics.category_weekly AS
  SELECT * FROM analytics.category_share(analytics.default_engine(), '-infinity', 'infinity', 'week');
--> statement-breakpoint
CREATE OR REPLACE VIEW analytics.tag_composition_weekly AS
  SELECT * FROM analytics.tag_composition(analytics.default_engine(), '-infinity', 'infinity', 'week');
--> statement-breakpoint
CREATE OR REPLACE VIEW analytics.author_mix_weekly AS
  SELECT * FROM analytics.author_mix(analytics.default_engine(), '-infinity', 'infinity', 'week');
--> statement-breakpoint
CREATE OR REPLACE VIEW analytics.cost_usage_weekly AS
  SELECT * FROM analytics.cost_usage(analytics.default_engine(), '-infinity', 'infinity', 'week');
--> statement-breakpoint
CREATE OR REPLACE VIEW analytics.language_weekly AS
  SELECT * FROM analytics.language_mix(analytics.default_engine(), '-infinity', 'infinity', 'week');
--> statement-breakpoint
CREATE OR REPLACE VIEW analytics.coverage_weekly AS
  SELECT * FROM analytics.coverage(analytics.default_engine(), '-infinity', 'infinity', 'week');
