ALTER TABLE "census_settings" ADD COLUMN "floor_grain" text DEFAULT 'day' NOT NULL;--> statement-breakpoint
ALTER TABLE "release_breakdown_daily" ADD COLUMN "var_requests" double precision DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "release_breakdown_daily" ADD COLUMN "var_tokens" double precision DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "release_unit_daily" ADD COLUMN "var_requests" double precision DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "release_unit_daily" ADD COLUMN "var_tokens" double precision DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "release_unit_daily" ADD COLUMN "var_spend" double precision DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "rollup_category_daily" ADD COLUMN "var_requests" double precision DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "rollup_category_daily" ADD COLUMN "var_tokens" double precision DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "rollup_category_daily" ADD COLUMN "var_spend" double precision DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "rollup_language_daily" ADD COLUMN "var_requests" double precision DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "rollup_language_daily" ADD COLUMN "var_tokens" double precision DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "rollup_tag_daily" ADD COLUMN "var_requests" double precision DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "rollup_tag_daily" ADD COLUMN "var_tokens" double precision DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "census_settings" ADD CONSTRAINT "census_settings_floor_grain_ck" CHECK ("census_settings"."floor_grain" IN ('day', 'week', 'month'));--> statement-breakpoint

-- Two things analysts asked for (issue 18, items 2 and 3; docs/analytics.md):
--
-- 1. A floor that fits the traffic. A release unit was a model's events of one *day*, outcome and
--    category; with little traffic most of it hid. census_settings.floor_grain (FLOOR_GRAIN, written
--    at start-up like k) sets the unit's period: day, week (from Monday) or month. Release rows keep
--    their `day` column, now the first day of the unit's period, and every window a query publishes
--    is widened to whole grains, so a published number is still a sum of released units and the
--    floor's argument is unchanged: units partition the events, each released one holds >= k, a
--    hidden one adds to nothing.
-- 2. Error bars. Each rollup and release row keeps, per weight x, var_x = sum over its events of
--    (1 - p) / p^2 * x^2 (p the event's sample rate): the unbiased variance estimate of est_x under
--    Bernoulli sampling. Sums of released units only, like every number; the analytics functions
--    return them beside the shares, and src/stats/interval.ts turns them into 95% intervals.

-- Definer: analytics.window_from/window_to read it, and analysts may call those (they cannot read
-- census_settings; the grain is no secret, every answer's notes say it).
CREATE FUNCTION analytics.floor_grain() RETURNS text LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = public, pg_temp AS $$
  SELECT coalesce((SELECT floor_grain FROM census_settings), 'day')
$$;
--> statement-breakpoint
-- The first day of the grain `d` falls in (a week from Monday, as date_trunc's ISO weeks).
CREATE FUNCTION census_grain_start(p_grain text, d date) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN p_grain = 'day' OR NOT isfinite(d) THEN d ELSE date_trunc(p_grain, d::timestamp)::date END
$$;
--> statement-breakpoint
-- Every day of the grains starting on the given days: the rollup rows one refresh reads.
CREATE FUNCTION census_grain_days(p_grain text, p_starts date[]) RETURNS date[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN p_grain = 'day' THEN p_starts ELSE ARRAY(
    SELECT DISTINCT g::date FROM unnest(p_starts) s,
      generate_series(s::timestamp, s::timestamp + ('1 ' || p_grain)::interval - interval '1 day', interval '1 day') g
  ) END
$$;
--> statement-breakpoint

-- As in 0014, with the variance sums.
CREATE OR REPLACE FUNCTION census_rollup_sql(kind text, events_src text, labels_src text DEFAULT NULL) RETURNS text
LANGUAGE sql IMMUTABLE AS $fn$
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
    FROM (SELECT DISTINCT event_id, tag FROM %I) l
    CROSS JOIN LATERAL (
      SELECT ev.*, coalesce(ev.prompt_tokens, 0)::bigint + coalesce(ev.completion_tokens, 0) AS tok,
        (1 - ev.sample_rate::float8) / (ev.sample_rate::float8 * ev.sample_rate::float8) AS vf
      FROM %I ev WHERE ev.id = l.event_id
    ) e
    GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (day, engine, outcome, category, model, tag) DO UPDATE SET
      events = r.events + excluded.events, est_requests = r.est_requests + excluded.est_requests,
      tokens = r.tokens + excluded.tokens, est_tokens = r.est_tokens + excluded.est_tokens,
      var_requests = r.var_requests + excluded.var_requests, var_tokens = r.var_tokens + excluded.var_tokens$q$,
      labels_src, events_src)
  END
$fn$;
--> statement-breakpoint

-- ===== Release units of a grain =====

DROP FUNCTION census_refresh_touched(text[], date[], text[], text[], text[]);
--> statement-breakpoint
DROP FUNCTION census_refresh_releases(text, date[], text[], text[], text[]);
--> statement-breakpoint
DROP FUNCTION census_release_cells_of(text, date[], text[], text[]);
--> statement-breakpoint

-- As in 0014, for partitions of (grain start, outcome, category): a model's cells of every day of
-- the grain are summed first, then the three rules run on those sums. p_days are grain starts.
-- `census floor` calls it with each grain to show what that grain would release.
CREATE FUNCTION census_release_cells_of(p_engine text, p_grain text, p_days date[], p_outcomes text[],
  p_categories text[])
RETURNS TABLE (day date, outcome text, category text, model text, unit_author text, unit_model text,
  events bigint, est_requests float8, tokens bigint, est_tokens float8, spend float8, est_spend float8,
  priced_tokens bigint, est_priced_tokens float8, var_requests float8, var_tokens float8, var_spend float8)
LANGUAGE sql STABLE AS $$
  WITH params AS MATERIALIZED (SELECT analytics.k_min() AS k), rolled AS (
    SELECT census_grain_start(p_grain, r.day) AS day, r.outcome, r.category, r.model, r.author,
      sum(r.events)::bigint AS events, sum(r.est_requests) AS est_requests, sum(r.tokens)::bigint AS tokens,
      sum(r.est_tokens) AS est_tokens, sum(r.spend) AS spend, sum(r.est_spend) AS est_spend,
      sum(r.priced_tokens)::bigint AS priced_tokens, sum(r.est_priced_tokens) AS est_priced_tokens,
      sum(r.var_requests) AS var_requests, sum(r.var_tokens) AS var_tokens, sum(r.var_spend) AS var_spend
    FROM rollup_category_daily r
    WHERE r.engine = p_engine AND r.day = ANY (census_grain_days(p_grain, p_days))
      AND (census_grain_start(p_grain, r.day), r.outcome, r.category) IN
        (SELECT * FROM unnest(p_days, p_outcomes, p_categories))
    GROUP BY 1, 2, 3, 4, 5
  ), cells AS (
    SELECT r.*, p.k,
      sum(r.events) FILTER (WHERE r.events < p.k)
        OVER (PARTITION BY r.day, r.outcome, r.category, r.author) AS author_rest
    FROM rolled r CROSS JOIN params p
  ), placed AS (
    SELECT c.*,
      sum(c.events) FILTER (WHERE c.events < c.k AND c.author_rest < c.k)
        OVER (PARTITION BY c.day, c.outcome, c.category) AS day_rest
    FROM cells c
  )
  SELECT day, outcome, category, model,
    CASE WHEN events >= k OR author_rest >= k THEN author END,
    CASE WHEN events >= k THEN model END,
    events, est_requests, tokens, est_tokens, spend, est_spend, priced_tokens, est_priced_tokens,
    var_requests, var_tokens, var_spend
  FROM placed
  WHERE events >= k OR author_rest >= k OR day_rest >= k
$$;
--> statement-breakpoint

-- As in 0015, for partitions of the grain (p_days are grain starts), with the variance sums.
CREATE FUNCTION census_refresh_releases(p_engine text, p_grain text, p_days date[], p_outcomes text[],
  p_categories text[], p_kinds text[])
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM release_unit_daily WHERE 'unit' = ANY (p_kinds) AND engine = p_engine AND day = ANY (p_days)
    AND (day, outcome, category) IN (SELECT * FROM unnest(p_days, p_outcomes, p_categories));
  DELETE FROM release_breakdown_daily WHERE kind = ANY (p_kinds) AND engine = p_engine AND day = ANY (p_days)
    AND (day, outcome, category) IN (SELECT * FROM unnest(p_days, p_outcomes, p_categories));
  WITH units AS MATERIALIZED (
    SELECT * FROM census_release_cells_of(p_engine, p_grain, p_days, p_outcomes, p_categories)
  ), unit_rows AS (
    INSERT INTO release_unit_daily (day, engine, outcome, category, unit_author, unit_model, events,
      est_requests, tokens, est_tokens, spend, est_spend, priced_tokens, est_priced_tokens,
      var_requests, var_tokens, var_spend)
    SELECT u.day, p_engine, u.outcome, u.category, u.unit_author, u.unit_model, sum(u.events),
      sum(u.est_requests), sum(u.tokens), sum(u.est_tokens), sum(u.spend), sum(u.est_spend),
      sum(u.priced_tokens), sum(u.est_priced_tokens), sum(u.var_requests), sum(u.var_tokens), sum(u.var_spend)
    FROM units u WHERE 'unit' = ANY (p_kinds) GROUP BY 1, 2, 3, 4, 5, 6
  ), touched AS MATERIALIZED (
    SELECT * FROM unnest(p_days, p_outcomes, p_categories) AS t(day, outcome, category)
  ), grain_days AS MATERIALIZED (
    SELECT census_grain_days(p_grain, p_days) AS days
  ), parts AS MATERIALIZED (
    SELECT 'tag' AS kind, census_grain_start(p_grain, b.day) AS day, b.outcome, b.category, b.model,
      b.tag AS value, b.events, b.est_requests, b.tokens, b.est_tokens, b.var_requests, b.var_tokens
    FROM rollup_tag_daily b WHERE 'tag' = ANY (p_kinds) AND b.engine = p_engine
      AND b.day = ANY ((SELECT days FROM grain_days)::date[])
      AND (census_grain_start(p_grain, b.day), b.outcome, b.category) IN (SELECT * FROM touched)
    UNION ALL
    SELECT 'language', census_grain_start(p_grain, b.day), b.outcome, b.category, b.model, b.language,
      b.events, b.est_requests, b.tokens, b.est_tokens, b.var_requests, b.var_tokens
    FROM rollup_language_daily b WHERE 'language' = ANY (p_kinds) AND b.engine = p_engine
      AND b.day = ANY ((SELECT days FROM grain_days)::date[])
      AND (census_grain_start(p_grain, b.day), b.outcome, b.category) IN (SELECT * FROM touched)
  ), cells AS (
    SELECT b.kind, u.day, u.outcome, u.category, u.unit_author, u.unit_model, b.value,
      sum(b.events)::bigint AS events, sum(b.est_requests) AS est_requests,
      sum(b.tokens)::bigint AS tokens, sum(b.est_tokens) AS est_tokens,
      sum(b.var_requests) AS var_requests, sum(b.var_tokens) AS var_tokens
    FROM units u
    JOIN parts b ON b.day = u.day AND b.outcome = u.outcome AND b.category = u.category AND b.model = u.model
    GROUP BY 1, 2, 3, 4, 5, 6, 7
  ), params AS MATERIALIZED (
    SELECT analytics.k_min() AS k
  ), ranked AS (
    SELECT c.*, p.k,
      count(*) FILTER (WHERE c.events < p.k) OVER unit AS n_small,
      row_number() OVER ordered AS rn,
      coalesce(sum(c.events) OVER (ordered ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS before
    FROM cells c CROSS JOIN params p
    WINDOW unit AS (PARTITION BY c.kind, c.day, c.outcome, c.category, c.unit_author, c.unit_model),
      ordered AS (unit ORDER BY c.events, c.value)
  ), released AS (
    SELECT r.*, CASE WHEN n_small > 0 AND (rn <= n_small OR before < k) THEN NULL ELSE value END AS shown
    FROM ranked r
  )
  INSERT INTO release_breakdown_daily (kind, day, engine, outcome, category, unit_author, unit_model,
    value, events, est_requests, tokens, est_tokens, var_requests, var_tokens)
  SELECT kind, day, p_engine, outcome, category, unit_author, unit_model, shown, sum(events),
    sum(est_requests), sum(tokens), sum(est_tokens), sum(var_requests), sum(var_tokens)
  FROM released
  WHERE shown IS NOT NULL OR kind = 'language'
  GROUP BY kind, day, outcome, category, unit_author, unit_model, shown;
END $$;
--> statement-breakpoint

-- As in 0015: the touched days are mapped to their grains, whose units are recomputed whole.
CREATE FUNCTION census_refresh_touched(p_engines text[], p_days date[], p_outcomes text[],
  p_categories text[], p_kinds text[] DEFAULT ARRAY['unit', 'tag', 'language']) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  e text;
  g text := analytics.floor_grain();
BEGIN
  FOR e IN SELECT DISTINCT x FROM unnest(p_engines) x ORDER BY 1 LOOP
    PERFORM pg_advisory_xact_lock(hashtext('census_release'), hashtext(e));
  END LOOP;
  PERFORM census_refresh_releases(t.engine, g, array_agg(t.day), array_agg(t.outcome), array_agg(t.category),
    p_kinds)
  FROM (SELECT DISTINCT engine, census_grain_start(g, day) AS day, outcome, category
        FROM unnest(p_engines, p_days, p_outcomes, p_categories) AS u(engine, day, outcome, category)) t
  GROUP BY t.engine;
END $$;
--> statement-breakpoint

-- Every partition, from the rollups; rows of another grain go first (a change of grain re-keys
-- them), under every engine's lock so that no refresh of the old grain lands after the delete.
CREATE OR REPLACE FUNCTION census_rebuild_releases() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  e text;
BEGIN
  FOR e IN SELECT DISTINCT engine FROM rollup_category_daily ORDER BY 1 LOOP
    PERFORM pg_advisory_xact_lock(hashtext('census_release'), hashtext(e));
  END LOOP;
  DELETE FROM release_unit_daily;
  DELETE FROM release_breakdown_daily;
  PERFORM census_refresh_touched(array_agg(engine), array_agg(day), array_agg(outcome), array_agg(category))
  FROM (SELECT DISTINCT engine, day, outcome, category FROM rollup_category_daily) t;
END $$;
--> statement-breakpoint

-- k and the grain decide every unit: when either changes (start-up writes both), recompute them all.
DROP TRIGGER census_settings_k ON census_settings;
--> statement-breakpoint
CREATE TRIGGER census_settings_k AFTER UPDATE OF k_min_events, floor_grain ON census_settings
  FOR EACH ROW WHEN (OLD.k_min_events IS DISTINCT FROM NEW.k_min_events OR OLD.floor_grain IS DISTINCT FROM NEW.floor_grain)
  EXECUTE FUNCTION census_settings_k_trigger();
--> statement-breakpoint
REVOKE EXECUTE ON FUNCTION census_release_cells_of(text, text, date[], text[], text[]) FROM PUBLIC;
--> statement-breakpoint
REVOKE EXECUTE ON FUNCTION census_refresh_releases(text, text, date[], text[], text[], text[]) FROM PUBLIC;
--> statement-breakpoint
REVOKE EXECUTE ON FUNCTION census_refresh_touched(text[], date[], text[], text[], text[]) FROM PUBLIC;
--> statement-breakpoint

-- ===== What analysts query =====

-- Windows widen to whole periods of the interval, then to whole grains: a grain's unit is never
-- cut. A unit counts in the period its first day falls in (with weekly units, a month is the
-- weeks that start in it, and its edges may reach into the next or previous month's days).
CREATE OR REPLACE FUNCTION analytics.window_from(p_interval text, p_from date) RETURNS date
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT census_grain_start(analytics.floor_grain(), CASE WHEN p_interval IN ('day', 'range') THEN p_from
    ELSE date_trunc(p_interval, p_from::timestamp)::date END)
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION analytics.window_to(p_interval text, p_to date) RETURNS date
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  WITH i AS (
    SELECT CASE WHEN p_interval IN ('day', 'range') OR NOT isfinite(p_to) THEN p_to
      ELSE (date_trunc(p_interval, (p_to - 1)::timestamp)
        + CASE p_interval WHEN 'quarter' THEN interval '3 months' ELSE ('1 ' || p_interval)::interval END)::date
      END AS d, analytics.floor_grain() AS g
  )
  SELECT CASE WHEN g = 'day' OR NOT isfinite(d) THEN d
    ELSE (census_grain_start(g, d - 1) + ('1 ' || g)::interval)::date END
  FROM i
$$;
--> statement-breakpoint

DROP VIEW analytics.category_weekly, analytics.tag_composition_weekly, analytics.author_mix_weekly,
  analytics.coverage_weekly;
--> statement-breakpoint
DROP FUNCTION analytics.category_share(text, date, date, text, text, text),
  analytics.tag_composition(text, date, date, text, text),
  analytics.author_mix(text, date, date, text, text),
  analytics.coverage(text, date, date, text, boolean);
--> statement-breakpoint
DROP FUNCTION census_released_cells(text, date, date), census_released_breakdown(text, text, date, date);
--> statement-breakpoint

-- As in 0014, with the variance sums. Value NULL in a language breakdown pools hidden languages.
CREATE FUNCTION census_released_cells(p_engine text, p_from date, p_to date)
RETURNS TABLE (day date, outcome text, category text, unit_author text, unit_model text,
  events bigint, est_requests float8, tokens bigint, est_tokens float8, spend float8, est_spend float8,
  priced_tokens bigint, est_priced_tokens float8, var_requests float8, var_tokens float8, var_spend float8)
LANGUAGE sql STABLE AS $$
  SELECT day, outcome, category, unit_author, unit_model, events, est_requests, tokens, est_tokens,
    spend, est_spend, priced_tokens, est_priced_tokens, var_requests, var_tokens, var_spend
  FROM release_unit_daily WHERE engine = p_engine AND day >= p_from AND day < p_to
$$;
--> statement-breakpoint
CREATE FUNCTION census_released_breakdown(p_kind text, p_engine text, p_from date, p_to date)
RETURNS TABLE (day date, outcome text, category text, unit_author text, unit_model text, value text,
  events bigint, est_requests float8, tokens bigint, est_tokens float8, var_requests float8, var_tokens float8)
LANGUAGE sql STABLE AS $$
  SELECT day, outcome, category, unit_author, unit_model, value, events, est_requests, tokens, est_tokens,
    var_requests, var_tokens
  FROM release_breakdown_daily WHERE engine = p_engine AND kind = p_kind AND day >= p_from AND day < p_to
$$;
--> statement-breakpoint
REVOKE EXECUTE ON FUNCTION census_released_cells(text, date, date) FROM PUBLIC;
--> statement-breakpoint
REVOKE EXECUTE ON FUNCTION census_released_breakdown(text, text, date, date) FROM PUBLIC;
--> statement-breakpoint

-- As in 0014, with var_* per row: the variance estimate of the row's est_* (docs/analytics.md
-- "Error bars" turns them, with the shares, into intervals; the API does it in src/stats/interval.ts).
CREATE FUNCTION analytics.category_share(
  p_engine text, p_from date, p_to date, p_interval text,
  p_model text DEFAULT NULL, p_author text DEFAULT NULL)
RETURNS TABLE (period date, category text, events bigint, est_requests float8,
  tokens bigint, est_tokens float8, spend float8, est_spend float8,
  share_requests float8, share_tokens float8, share_spend float8,
  var_requests float8, var_tokens float8, var_spend float8)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, analytics, pg_temp
  SET plan_cache_mode = force_custom_plan AS $$
#variable_conflict use_column
DECLARE
  w_from date := analytics.window_from(p_interval, p_from);
  w_to date := analytics.window_to(p_interval, p_to);
BEGIN
  RETURN QUERY
  WITH cells AS (
    SELECT analytics.bucket(p_interval, w_from, u.day) AS period, u.category,
      sum(u.events)::bigint AS events, sum(u.est_requests) AS est_requests, sum(u.tokens)::bigint AS tokens,
      sum(u.est_tokens) AS est_tokens, sum(u.spend) AS spend, sum(u.est_spend) AS est_spend,
      sum(u.var_requests) AS var_requests, sum(u.var_tokens) AS var_tokens, sum(u.var_spend) AS var_spend
    FROM census_released_cells(p_engine, w_from, w_to) u
    WHERE u.outcome = 'classified'
      AND (p_model IS NULL OR u.unit_model = p_model) AND (p_author IS NULL OR u.unit_author = p_author)
    GROUP BY 1, 2
  ), named AS (
    SELECT c.*, c.category <> 'others' AS in_share FROM cells c
  )
  SELECT period, category, events, sig(est_requests), tokens, sig(est_tokens), sig(spend), sig(est_spend),
    sig(CASE WHEN in_share THEN est_requests / nullif(sum(est_requests) FILTER (WHERE in_share) OVER w, 0) END),
    sig(CASE WHEN in_share THEN est_tokens / nullif(sum(est_tokens) FILTER (WHERE in_share) OVER w, 0) END),
    sig(CASE WHEN in_share THEN est_spend / nullif(sum(est_spend) FILTER (WHERE in_share) OVER w, 0) END),
    sig(var_requests), sig(var_tokens), sig(var_spend)
  FROM named
  WINDOW w AS (PARTITION BY period)
  ORDER BY period, category;
END
$$;
--> statement-breakpoint

CREATE FUNCTION analytics.tag_composition(
  p_engine text, p_from date, p_to date, p_interval text, p_category text DEFAULT NULL)
RETURNS TABLE (period date, category text, tag text, events bigint,
  est_requests float8, tokens bigint, est_tokens float8, share_requests float8, share_tokens float8,
  var_requests float8, var_tokens float8)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, analytics, pg_temp
  SET plan_cache_mode = force_custom_plan AS $$
#variable_conflict use_column
DECLARE
  w_from date := analytics.window_from(p_interval, p_from);
  w_to date := analytics.window_to(p_interval, p_to);
BEGIN
  RETURN QUERY
  WITH cells AS (
    SELECT analytics.bucket(p_interval, w_from, b.day) AS period, b.category, b.value AS tag,
      sum(b.events)::bigint AS events, sum(b.est_requests) AS est_requests,
      sum(b.tokens)::bigint AS tokens, sum(b.est_tokens) AS est_tokens,
      sum(b.var_requests) AS var_requests, sum(b.var_tokens) AS var_tokens
    FROM census_released_breakdown('tag', p_engine, w_from, w_to) b
    WHERE b.outcome = 'classified' AND b.value IS NOT NULL
      AND (p_category IS NULL OR b.category = p_category)
    GROUP BY 1, 2, 3
  )
  SELECT period, category, tag, events, sig(est_requests), tokens, sig(est_tokens),
    sig(est_requests / nullif(sum(est_requests) OVER w, 0)),
    sig(est_tokens / nullif(sum(est_tokens) OVER w, 0)),
    sig(var_requests), sig(var_tokens)
  FROM cells
  WINDOW w AS (PARTITION BY period, category)
  ORDER BY period, category, tag;
END
$$;
--> statement-breakpoint

CREATE FUNCTION analytics.author_mix(
  p_engine text, p_from date, p_to date, p_interval text, p_category text DEFAULT NULL)
RETURNS TABLE (period date, author text, category text, events bigint,
  est_requests float8, tokens bigint, est_tokens float8, spend float8, est_spend float8,
  share_of_author_requests float8, share_of_author_tokens float8, share_of_author_spend float8,
  share_of_category_requests float8, share_of_category_tokens float8, share_of_category_spend float8,
  var_requests float8, var_tokens float8, var_spend float8)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, analytics, pg_temp
  SET plan_cache_mode = force_custom_plan AS $$
#variable_conflict use_column
DECLARE
  w_from date := analytics.window_from(p_interval, p_from);
  w_to date := analytics.window_to(p_interval, p_to);
BEGIN
  RETURN QUERY
  WITH cells AS (
    SELECT analytics.bucket(p_interval, w_from, u.day) AS period, u.unit_author AS author, u.category,
      sum(u.events)::bigint AS events, sum(u.est_requests) AS est_requests, sum(u.tokens)::bigint AS tokens,
      sum(u.est_tokens) AS est_tokens, sum(u.spend) AS spend, sum(u.est_spend) AS est_spend,
      sum(u.var_requests) AS var_requests, sum(u.var_tokens) AS var_tokens, sum(u.var_spend) AS var_spend
    FROM census_released_cells(p_engine, w_from, w_to) u
    WHERE u.outcome = 'classified' AND (p_category IS NULL OR u.category = p_category)
    GROUP BY 1, 2, 3
  ), named AS (
    SELECT c.*, (c.author IS NOT NULL AND c.category <> 'others') AS in_mix FROM cells c
  )
  SELECT period, author, category, events, sig(est_requests), tokens, sig(est_tokens), sig(spend),
    sig(est_spend),
    sig(CASE WHEN in_mix THEN est_requests / nullif(sum(est_requests) FILTER (WHERE in_mix) OVER a, 0) END),
    sig(CASE WHEN in_mix THEN est_tokens / nullif(sum(est_tokens) FILTER (WHERE in_mix) OVER a, 0) END),
    sig(CASE WHEN in_mix THEN est_spend / nullif(sum(est_spend) FILTER (WHERE in_mix) OVER a, 0) END),
    sig(est_requests / nullif(sum(est_requests) OVER c, 0)),
    sig(est_tokens / nullif(sum(est_tokens) OVER c, 0)),
    sig(est_spend / nullif(sum(est_spend) OVER c, 0)),
    sig(var_requests), sig(var_tokens), sig(var_spend)
  FROM named
  WINDOW a AS (PARTITION BY period, author), c AS (PARTITION BY period, category)
  ORDER BY period, author NULLS LAST, category;
END
$$;
--> statement-breakpoint

CREATE FUNCTION analytics.coverage(
  p_engine text, p_from date, p_to date, p_interval text, p_by_language boolean DEFAULT false)
RETURNS TABLE (period date, outcome text, language text, events bigint, est_requests float8,
  share_requests float8, var_requests float8)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, analytics, pg_temp
  SET plan_cache_mode = force_custom_plan AS $$
#variable_conflict use_column
DECLARE
  w_from date := analytics.window_from(p_interval, p_from);
  w_to date := analytics.window_to(p_interval, p_to);
BEGIN
  RETURN QUERY
  WITH cells AS (
    SELECT analytics.bucket(p_interval, w_from, u.day) AS period, u.outcome, NULL::text AS language,
      sum(u.events)::bigint AS events, sum(u.est_requests) AS est_requests, sum(u.var_requests) AS var_requests
    FROM census_released_cells(p_engine, w_from, w_to) u
    WHERE NOT p_by_language
    GROUP BY 1, 2
    UNION ALL
    SELECT analytics.bucket(p_interval, w_from, b.day), b.outcome, b.value,
      sum(b.events)::bigint, sum(b.est_requests), sum(b.var_requests)
    FROM census_released_breakdown('language', p_engine, w_from, w_to) b
    WHERE p_by_language
    GROUP BY 1, 2, 3
  )
  SELECT period, outcome, language, events, sig(est_requests),
    sig(est_requests / nullif(sum(est_requests) OVER (PARTITION BY period), 0)), sig(var_requests)
  FROM cells
  ORDER BY period, outcome, language NULLS LAST;
END
$$;
--> statement-breakpoint

CREATE VIEW analytics.category_weekly AS
  SELECT * FROM analytics.category_share('google', '-infinity', 'infinity', 'week');
--> statement-breakpoint
CREATE VIEW analytics.tag_composition_weekly AS
  SELECT * FROM analytics.tag_composition('google', '-infinity', 'infinity', 'week');
--> statement-breakpoint
CREATE VIEW analytics.author_mix_weekly AS
  SELECT * FROM analytics.author_mix('google', '-infinity', 'infinity', 'week');
--> statement-breakpoint
CREATE VIEW analytics.coverage_weekly AS
  SELECT * FROM analytics.coverage('google', '-infinity', 'infinity', 'week');
--> statement-breakpoint
GRANT SELECT ON ALL TABLES IN SCHEMA analytics TO census_analyst;
--> statement-breakpoint
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA analytics TO census_analyst;
--> statement-breakpoint

-- the variance sums of the events stored before this migration
SELECT census_rebuild_rollups();
