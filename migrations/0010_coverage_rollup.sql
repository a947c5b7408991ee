-- Coverage: what the category shares leave out, by outcome and language.
CREATE TABLE "rollup_coverage_daily" (
	"day" date NOT NULL,
	"engine" text NOT NULL,
	"outcome" text NOT NULL,
	"language" text NOT NULL,
	"events" bigint NOT NULL,
	"est_requests" double precision NOT NULL,
	CONSTRAINT "rollup_coverage_daily_day_engine_outcome_language_pk" PRIMARY KEY("day","engine","outcome","language")
);
--> statement-breakpoint

-- What the category shares leave out (GET /v1/stats/coverage): sampled events per day by outcome
-- and language, kept by the events trigger like the other rollups.
CREATE FUNCTION census_coverage_rollup_sql(events_src text) RETURNS text
LANGUAGE sql IMMUTABLE AS $fn$
  SELECT format($q$
    INSERT INTO rollup_coverage_daily AS r (day, engine, outcome, language, events, est_requests)
    SELECT (e.observed_hour AT TIME ZONE 'UTC')::date, e.engine, e.outcome, coalesce(e.language, 'unknown'),
      count(*), sum(1 / e.sample_rate)
    FROM %I e
    GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
    ON CONFLICT (day, engine, outcome, language) DO UPDATE SET
      events = r.events + excluded.events, est_requests = r.est_requests + excluded.est_requests$q$, events_src)
$fn$;
--> statement-breakpoint

CREATE OR REPLACE FUNCTION census_rollup_events_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE census_rollup_sql('category', 'new_events');
  EXECUTE census_rollup_sql('language', 'new_events');
  EXECUTE census_usage_rollup_sql('new_events');
  EXECUTE census_coverage_rollup_sql('new_events');
  RETURN NULL;
END $$;
--> statement-breakpoint

CREATE OR REPLACE FUNCTION census_rebuild_rollups() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  LOCK TABLE prompt_events IN SHARE MODE;
  TRUNCATE rollup_category_daily, rollup_language_daily, rollup_tag_daily, rollup_usage_daily,
    rollup_coverage_daily;
  EXECUTE census_rollup_sql('category', 'prompt_events');
  EXECUTE census_rollup_sql('language', 'prompt_events');
  EXECUTE census_rollup_sql('tag', 'prompt_events', 'prompt_labels');
  EXECUTE census_usage_rollup_sql('prompt_events');
  EXECUTE census_coverage_rollup_sql('prompt_events');
END $$;
--> statement-breakpoint

-- the events stored before this migration
DO $$ BEGIN EXECUTE census_coverage_rollup_sql('prompt_events'); END $$;
--> statement-breakpoint

-- Coverage per period: each outcome's share of the sampled events (`by_language`: per outcome and
-- language, so the refused share shows by language). The privacy floor applies as everywhere: a
-- cell under k events is suppressed, and within a period (or a period's outcome, by language) the
-- smallest shown cell is hidden too when the hidden ones add up to fewer than k. Shares are over
-- the cells shown. p_to is exclusive.
CREATE FUNCTION analytics.coverage(
  p_engine text, p_from date, p_to date, p_interval text, p_by_language boolean DEFAULT false)
RETURNS TABLE (period date, outcome text, language text, suppressed boolean, events bigint,
  est_requests float8, share_requests float8)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, analytics, pg_temp
  SET plan_cache_mode = force_custom_plan AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY
  WITH params AS MATERIALIZED (SELECT analytics.k_min() AS k), cells AS (
    SELECT analytics.bucket(p_interval, p_from, r.day) AS period, r.outcome,
      CASE WHEN p_by_language THEN r.language END AS language,
      sum(r.events)::bigint AS events, sum(r.est_requests) AS est_requests
    FROM rollup_coverage_daily r
    WHERE r.engine = p_engine AND r.day >= p_from AND r.day < p_to
    GROUP BY 1, 2, 3
  ), ranked AS (
    SELECT c.*, p.k,
      (sum(CASE WHEN c.events < p.k THEN c.events ELSE 0 END)
        OVER (PARTITION BY c.period, CASE WHEN p_by_language THEN c.outcome END))::bigint AS hidden_sum,
      row_number() OVER (PARTITION BY c.period, CASE WHEN p_by_language THEN c.outcome END, c.events < p.k
        ORDER BY c.events, c.outcome, c.language) AS visible_rank
    FROM cells c CROSS JOIN params p
  ), marked AS (
    SELECT r.*, (r.events < r.k OR (r.visible_rank = 1 AND r.events >= r.k AND r.hidden_sum > 0 AND r.hidden_sum < r.k)) AS hide
    FROM ranked r
  )
  -- a suppressed row names no language: one event must not reveal that a language was seen
  SELECT period, outcome, CASE WHEN hide THEN NULL ELSE language END, hide,
    CASE WHEN hide THEN NULL ELSE events END, CASE WHEN hide THEN NULL ELSE est_requests END,
    CASE WHEN NOT hide THEN est_requests / nullif(sum(est_requests) FILTER (WHERE NOT hide) OVER w, 0) END
  FROM marked
  WINDOW w AS (PARTITION BY period)
  ORDER BY period, outcome, hide, language;
END
$$;
--> statement-breakpoint

CREATE VIEW analytics.coverage_weekly AS
  SELECT * FROM analytics.coverage('google', '-infinity', 'infinity', 'week');
--> statement-breakpoint
GRANT SELECT ON analytics.coverage_weekly TO census_analyst;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION analytics.coverage(text, date, date, text, boolean) TO census_analyst;
