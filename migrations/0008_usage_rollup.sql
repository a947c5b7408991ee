-- Google usage per day (GET /v1/stats/usage), kept by the events trigger like the other rollups.
-- units: what Google bills, one per started 1,000 characters of each call it answered with
-- categories (its refusals are taken as unbilled); events from the cache or the pre-skip cost none.
CREATE FUNCTION census_usage_rollup_sql(events_src text) RETURNS text
LANGUAGE sql IMMUTABLE AS $fn$
  SELECT format($q$
    INSERT INTO rollup_usage_daily AS r (day, engine, answer_source, events, units)
    SELECT (e.observed_hour AT TIME ZONE 'UTC')::date, e.engine, e.answer_source, count(*),
      coalesce(sum(greatest(1, ceil(e.char_count / 1000.0))::bigint)
        FILTER (WHERE e.answer_source = 'google' AND e.outcome = 'classified'), 0)
    FROM %I e
    GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (day, engine, answer_source) DO UPDATE SET
      events = r.events + excluded.events, units = r.units + excluded.units$q$, events_src)
$fn$;
--> statement-breakpoint

CREATE OR REPLACE FUNCTION census_rollup_events_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE census_rollup_sql('category', 'new_events');
  EXECUTE census_rollup_sql('language', 'new_events');
  EXECUTE census_usage_rollup_sql('new_events');
  RETURN NULL;
END $$;
--> statement-breakpoint

CREATE OR REPLACE FUNCTION census_rebuild_rollups() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  LOCK TABLE prompt_events IN SHARE MODE;
  TRUNCATE rollup_category_daily, rollup_language_daily, rollup_tag_daily, rollup_usage_daily;
  EXECUTE census_rollup_sql('category', 'prompt_events');
  EXECUTE census_rollup_sql('language', 'prompt_events');
  EXECUTE census_rollup_sql('tag', 'prompt_events', 'prompt_labels');
  EXECUTE census_usage_rollup_sql('prompt_events');
END $$;
--> statement-breakpoint

-- the events stored before this migration (all of them answered by Google)
DO $$ BEGIN EXECUTE census_usage_rollup_sql('prompt_events'); END $$;
