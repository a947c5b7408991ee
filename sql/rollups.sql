-- The rollups: what every event adds to the daily rollup tables, kept by triggers.
--
-- The current definitions, as a migrated database has them (test/sql-home.test.ts checks). Edit
-- here, then `node scripts/sql-migration.mjs <next tag>` makes the migration that applies them.
--
-- prompt_events and prompt_labels get AFTER INSERT ... REFERENCING NEW TABLE triggers
-- (migrations/0002) that call census_rollup_events_trigger / census_rollup_labels_trigger: each adds
-- its batch to rollup_category_daily, rollup_language_daily, rollup_tag_daily (census_rollup_sql)
-- and rollup_usage_daily (census_usage_rollup_sql), then marks the partitions it touched stale in
-- release_dirty. Their release units are refreshed outside the write's transaction, by
-- census_refresh_dirty (sql/floor.sql) every REFRESH_INTERVAL_MS: a write's cost no longer grows
-- with the size of its day, and writers never wait on a refresh. Per weight x a row keeps est_x = sum(x / p) and
-- var_x = sum((1 - p) / p^2 * x^2), p the event's sample rate. census_rebuild_rollups() recomputes
-- every rollup and release from prompt_events (from census_retention's horizon on: the days before it
-- keep the aggregates of the months `census retention` dropped). census_rebuild_rollups_days does the
-- same for given (engine, day) pairs only: a remap's rebuild.

CREATE OR REPLACE FUNCTION public.census_author(model text)
 RETURNS text
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$
  SELECT CASE WHEN position('/' IN model) > 1 THEN lower(split_part(model, '/', 1)) ELSE 'unknown' END
$function$;

CREATE OR REPLACE FUNCTION public.census_rollup_sql(kind text, events_src text, labels_src text DEFAULT NULL::text)
 RETURNS text
 LANGUAGE sql
 IMMUTABLE
AS $function$
  SELECT CASE kind
  WHEN 'category' THEN format($q$
    INSERT INTO rollup_category_daily AS r (day, engine, outcome, category, model, author, events, est_requests,
      tokens, est_tokens, spend, est_spend, priced_tokens, est_priced_tokens, var_requests, var_tokens, var_spend)
    SELECT (e.observed_hour AT TIME ZONE 'UTC')::date, e.engine, e.outcome, e.category, e.model, census_author(e.model),
      count(*), sum(1 / e.sample_rate), sum(e.tok), sum(e.tok / e.sample_rate),
      coalesce(sum(e.cost_usd::float8), 0), coalesce(sum(e.cost_usd::float8 / e.sample_rate), 0),
      coalesce(sum(e.tok) FILTER (WHERE e.cost_usd IS NOT NULL), 0),
      coalesce(sum(e.tok / e.sample_rate) FILTER (WHERE e.cost_usd IS NOT NULL), 0),
      sum(e.vf), sum(e.vf * e.tok::float8 * e.tok::float8),
      coalesce(sum(e.vf * e.cost_usd::float8 * e.cost_usd::float8), 0)
    FROM (SELECT *, coalesce(prompt_tokens, 0)::bigint + coalesce(completion_tokens, 0) AS tok,
            (1 - sample_rate::float8) / (sample_rate::float8 * sample_rate::float8) AS vf FROM %I) e
    GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (day, engine, outcome, category, model) DO UPDATE SET
      events = r.events + excluded.events, est_requests = r.est_requests + excluded.est_requests,
      tokens = r.tokens + excluded.tokens, est_tokens = r.est_tokens + excluded.est_tokens,
      spend = r.spend + excluded.spend, est_spend = r.est_spend + excluded.est_spend,
      priced_tokens = r.priced_tokens + excluded.priced_tokens,
      est_priced_tokens = r.est_priced_tokens + excluded.est_priced_tokens,
      var_requests = r.var_requests + excluded.var_requests, var_tokens = r.var_tokens + excluded.var_tokens,
      var_spend = r.var_spend + excluded.var_spend$q$, events_src)
  WHEN 'language' THEN format($q$
    INSERT INTO rollup_language_daily AS r (day, engine, outcome, category, model, language, events, est_requests,
      tokens, est_tokens, var_requests, var_tokens)
    SELECT (e.observed_hour AT TIME ZONE 'UTC')::date, e.engine, e.outcome, e.category, e.model,
      coalesce(e.language, 'und'), count(*), sum(1 / e.sample_rate), sum(e.tok), sum(e.tok / e.sample_rate),
      sum(e.vf), sum(e.vf * e.tok::float8 * e.tok::float8)
    FROM (SELECT *, coalesce(prompt_tokens, 0)::bigint + coalesce(completion_tokens, 0) AS tok,
            (1 - sample_rate::float8) / (sample_rate::float8 * sample_rate::float8) AS vf FROM %I) e
    GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (day, engine, outcome, category, model, language) DO UPDATE SET
      events = r.events + excluded.events, est_requests = r.est_requests + excluded.est_requests,
      tokens = r.tokens + excluded.tokens, est_tokens = r.est_tokens + excluded.est_tokens,
      var_requests = r.var_requests + excluded.var_requests, var_tokens = r.var_tokens + excluded.var_tokens$q$,
      events_src)
  WHEN 'tag' THEN format($q$
    INSERT INTO rollup_tag_daily AS r (day, engine, outcome, category, model, tag, events, est_requests, tokens,
      est_tokens, var_requests, var_tokens)
    SELECT (e.observed_hour AT TIME ZONE 'UTC')::date, e.engine, e.outcome, e.category, e.model, l.tag,
      count(*), sum(1 / e.sample_rate), sum(e.tok), sum(e.tok / e.sample_rate),
      sum(e.vf), sum(e.vf * e.tok::float8 * e.tok::float8)
    FROM (SELECT DISTINCT event_id, observed_hour, tag FROM %I) l
    CROSS JOIN LATERAL (
      SELECT ev.*, coalesce(ev.prompt_tokens, 0)::bigint + coalesce(ev.completion_tokens, 0) AS tok,
        (1 - ev.sample_rate::float8) / (ev.sample_rate::float8 * ev.sample_rate::float8) AS vf
      FROM %I ev WHERE ev.id = l.event_id AND ev.observed_hour = l.observed_hour
    ) e
    GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (day, engine, outcome, category, model, tag) DO UPDATE SET
      events = r.events + excluded.events, est_requests = r.est_requests + excluded.est_requests,
      tokens = r.tokens + excluded.tokens, est_tokens = r.est_tokens + excluded.est_tokens,
      var_requests = r.var_requests + excluded.var_requests, var_tokens = r.var_tokens + excluded.var_tokens$q$,
      labels_src, events_src)
  END
$function$;

CREATE OR REPLACE FUNCTION public.census_usage_rollup_sql(events_src text)
 RETURNS text
 LANGUAGE sql
 IMMUTABLE
AS $function$
  SELECT format($q$
    INSERT INTO rollup_usage_daily AS r (day, engine, answer_source, events, units)
    SELECT (e.observed_hour AT TIME ZONE 'UTC')::date, e.engine, e.answer_source, count(*),
      coalesce(sum(greatest(1, ceil(e.char_count / 1000.0))::bigint)
        FILTER (WHERE e.answer_source = 'google' AND e.outcome = 'classified'), 0)
    FROM %I e
    GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (day, engine, answer_source) DO UPDATE SET
      events = r.events + excluded.events, units = r.units + excluded.units$q$, events_src)
$function$;

CREATE OR REPLACE FUNCTION public.census_rollup_events_trigger()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
  EXECUTE census_rollup_sql('category', 'new_events');
  EXECUTE census_rollup_sql('language', 'new_events');
  EXECUTE census_usage_rollup_sql('new_events');
  -- a plain insert, no lock and no conflict check: the refresher deletes marks, and a writer must
  -- never wait for it (migrations/0026_release_dirty.sql)
  INSERT INTO release_dirty (engine, day, outcome, category)
  SELECT DISTINCT engine, (observed_hour AT TIME ZONE 'UTC')::date, outcome, category FROM new_events;
  RETURN NULL;
END $function$;

CREATE OR REPLACE FUNCTION public.census_rollup_labels_trigger()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
  EXECUTE census_rollup_sql('tag', 'prompt_events', 'new_labels');
  -- labels written with their event (the worker's one statement) repeat the event's mark; labels
  -- written on their own (COPY) need theirs. EXECUTE, planned for each batch: a plan kept by the
  -- connection is planned for the first batch's size, so after a bulk load of a million labels
  -- every one-event write on that connection hashed the whole events table (343 ms a write).
  EXECUTE $q$
    INSERT INTO release_dirty (engine, day, outcome, category)
    SELECT DISTINCT e.engine, (e.observed_hour AT TIME ZONE 'UTC')::date, e.outcome, e.category
    FROM (SELECT DISTINCT event_id, observed_hour FROM new_labels) l
    JOIN prompt_events e ON e.id = l.event_id AND e.observed_hour = l.observed_hour$q$;
  RETURN NULL;
END $function$;

CREATE OR REPLACE FUNCTION public.census_rebuild_rollups()
 RETURNS void
 LANGUAGE plpgsql
AS $function$
DECLARE
  kept date := coalesce((SELECT kept_from FROM census_retention), '-infinity');
BEGIN
  LOCK TABLE prompt_events IN SHARE MODE;
  -- the days before `census retention`'s horizon keep the aggregates of events no longer stored
  DELETE FROM rollup_category_daily WHERE day >= kept;
  DELETE FROM rollup_language_daily WHERE day >= kept;
  DELETE FROM rollup_tag_daily WHERE day >= kept;
  DELETE FROM rollup_usage_daily WHERE day >= kept;
  EXECUTE format('CREATE OR REPLACE TEMP VIEW census_kept_events AS SELECT * FROM prompt_events
    WHERE observed_hour >= %L::timestamp AT TIME ZONE ''UTC''', kept);
  EXECUTE format('CREATE OR REPLACE TEMP VIEW census_kept_labels AS SELECT * FROM prompt_labels
    WHERE observed_hour >= %L::timestamp AT TIME ZONE ''UTC''', kept);
  EXECUTE census_rollup_sql('category', 'census_kept_events');
  EXECUTE census_rollup_sql('language', 'census_kept_events');
  EXECUTE census_rollup_sql('tag', 'census_kept_events', 'census_kept_labels');
  EXECUTE census_usage_rollup_sql('census_kept_events');
  PERFORM census_rebuild_releases();
END $function$;

-- A remap's rebuild (src/taxonomy/remap.ts): the category, language and tag rollups of the given
-- (engine, day) pairs recomputed from those days' events only, with census_rollup_sql's
-- aggregation, so that a remap costs what its changed days hold, not what the table holds. The
-- release partitions those rows covered before and cover after are refreshed in the same
-- transaction by census_refresh_touched, under one advisory lock per engine, as
-- census_rebuild_rollups refreshes its own: not by marks in release_dirty, whose refresh
-- (census_refresh_dirty) holds one lock per partition until it commits, and a remap of a year
-- (6,222 partitions at 1M events) would run out of the lock table (max_locks_per_transaction).
-- Answers then move from the old numbers to the new at one commit. rollup_usage_daily counts no
-- category or tag and is left as it is. Days before census_retention's horizon keep their rollups, as in
-- census_rebuild_rollups: their events may be gone. Returns how many (engine, day) it rebuilt.
--
-- Writers: a write of one of these days committing between the DELETE and the re-aggregation
-- would be counted twice (its trigger added it to a row the re-aggregation then adds it to) or
-- lost. So this takes, on the month partitions of prompt_events and prompt_labels that hold the
-- days, the lock census_rebuild_rollups takes on the whole table: SHARE, which conflicts with a
-- write's ROW EXCLUSIVE. It waits for writes in flight to those months to commit (it then reads
-- them), and writes to those months wait for it; writes to other months (today's) go on. The
-- partitions' advisory lock (census_ensure_partitions, census_drop_month) comes first, so no month
-- is created, moved out of DEFAULT or dropped between finding a day's partition and locking it.
CREATE OR REPLACE FUNCTION public.census_rebuild_rollups_days(p_engines text[], p_days date[])
 RETURNS integer
 LANGUAGE plpgsql
AS $function$
DECLARE
  kept date;
  lo date;
  hi date;
  m date;
  suffix text;
  n integer;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('census_partitions'));
  kept := coalesce((SELECT kept_from FROM census_retention), '-infinity');
  CREATE TEMP TABLE IF NOT EXISTS census_rebuild_days (engine text, day date, PRIMARY KEY (engine, day));
  TRUNCATE census_rebuild_days;
  INSERT INTO census_rebuild_days
  SELECT DISTINCT u.engine, u.day FROM unnest(p_engines, p_days) AS u(engine, day) WHERE u.day >= kept;
  GET DIAGNOSTICS n = ROW_COUNT;
  IF n = 0 THEN
    RETURN 0;
  END IF;
  FOR m IN SELECT DISTINCT date_trunc('month', day)::date FROM census_rebuild_days ORDER BY 1 LOOP
    suffix := CASE WHEN to_regclass('public.prompt_events_' || to_char(m, '"p"YYYY_MM')) IS NULL THEN 'default'
      ELSE to_char(m, '"p"YYYY_MM') END;
    EXECUTE format('LOCK TABLE %I, %I IN SHARE MODE', 'prompt_events_' || suffix, 'prompt_labels_' || suffix);
  END LOOP;
  SELECT min(day), max(day) + 1 INTO lo, hi FROM census_rebuild_days;
  -- literal bounds, so the planner keeps only the months they span
  EXECUTE format('CREATE OR REPLACE TEMP VIEW census_days_events AS SELECT e.* FROM prompt_events e
    WHERE e.observed_hour >= %L::timestamp AT TIME ZONE ''UTC'' AND e.observed_hour < %L::timestamp AT TIME ZONE ''UTC''
      AND (e.engine, (e.observed_hour AT TIME ZONE ''UTC'')::date) IN (SELECT engine, day FROM census_rebuild_days)',
    lo, hi);
  EXECUTE format('CREATE OR REPLACE TEMP VIEW census_days_labels AS SELECT l.* FROM prompt_labels l
    WHERE l.observed_hour >= %L::timestamp AT TIME ZONE ''UTC'' AND l.observed_hour < %L::timestamp AT TIME ZONE ''UTC''
      AND (l.observed_hour AT TIME ZONE ''UTC'')::date IN (SELECT day FROM census_rebuild_days)', lo, hi);
  CREATE TEMP TABLE IF NOT EXISTS census_rebuild_parts (engine text, day date, outcome text, category text);
  TRUNCATE census_rebuild_parts;
  WITH gone AS (
    DELETE FROM rollup_category_daily r USING census_rebuild_days d WHERE r.engine = d.engine AND r.day = d.day
    RETURNING r.engine, r.day, r.outcome, r.category
  )
  INSERT INTO census_rebuild_parts SELECT DISTINCT * FROM gone;
  DELETE FROM rollup_language_daily r USING census_rebuild_days d WHERE r.engine = d.engine AND r.day = d.day;
  DELETE FROM rollup_tag_daily r USING census_rebuild_days d WHERE r.engine = d.engine AND r.day = d.day;
  EXECUTE census_rollup_sql('category', 'census_days_events');
  EXECUTE census_rollup_sql('language', 'census_days_events');
  EXECUTE census_rollup_sql('tag', 'census_days_events', 'census_days_labels');
  INSERT INTO census_rebuild_parts
  SELECT DISTINCT r.engine, r.day, r.outcome, r.category
  FROM rollup_category_daily r JOIN census_rebuild_days d ON r.engine = d.engine AND r.day = d.day;
  PERFORM census_refresh_touched(array_agg(p.engine), array_agg(p.day), array_agg(p.outcome), array_agg(p.category))
  FROM (SELECT DISTINCT * FROM census_rebuild_parts) p;
  RETURN n;
END $function$;
