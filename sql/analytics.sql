-- The analytics schema: what analysts (role census_analyst) and the stats API read.
--
-- The current definitions, as a migrated database has them (test/sql-home.test.ts checks). Edit
-- here, then `node scripts/sql-migration.mjs <next tag>` makes the migration that applies them.
--
-- Every function answers from released units only (sql/floor.sql: census_released_cells,
-- census_released_breakdown, census_released_languages: sums of the released language rows), over
-- the window widened to whole floor grains, bucketed by
-- analytics.bucket, with numbers rounded to 12 significant digits by analytics.sig. They are
-- SECURITY DEFINER with a fixed search_path: analysts may call them but read no table. A share
-- leaves out 'others' (and, in author_mix's share of an author, the pooled nameless rows); every
-- share is analytics.share(part, whole): part / whole to 12 significant digits, NULL when whole is 0.
--
-- The functions' preamble (SECURITY DEFINER, search_path, plan_cache_mode, #variable_conflict and
-- the window w_from/w_to) stays written out in each: PL/pgSQL has no macros, and each line is one
-- of the function's own settings that a reader checks in place.

CREATE OR REPLACE FUNCTION analytics.bucket(p_interval text, p_from date, d date)
 RETURNS date
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$
  SELECT CASE WHEN p_interval = 'range' THEN p_from ELSE date_trunc(p_interval, d::timestamp)::date END
$function$;

CREATE OR REPLACE FUNCTION analytics.window_from(p_interval text, p_from date)
 RETURNS date
 LANGUAGE sql
 STABLE PARALLEL SAFE
AS $function$
  SELECT census_grain_start(analytics.floor_grain(), CASE WHEN p_interval IN ('day', 'range') THEN p_from
    ELSE date_trunc(p_interval, p_from::timestamp)::date END)
$function$;

CREATE OR REPLACE FUNCTION analytics.window_to(p_interval text, p_to date)
 RETURNS date
 LANGUAGE sql
 STABLE PARALLEL SAFE
AS $function$
  WITH i AS (
    SELECT CASE WHEN p_interval IN ('day', 'range') OR NOT isfinite(p_to) THEN p_to
      ELSE (date_trunc(p_interval, (p_to - 1)::timestamp)
        + CASE p_interval WHEN 'quarter' THEN interval '3 months' ELSE ('1 ' || p_interval)::interval END)::date
      END AS d, analytics.floor_grain() AS g
  )
  SELECT CASE WHEN g = 'day' OR NOT isfinite(d) THEN d
    ELSE (census_grain_start(g, d - 1) + ('1 ' || g)::interval)::date END
  FROM i
$function$;

CREATE OR REPLACE FUNCTION analytics.sig(x double precision)
 RETURNS double precision
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$
  SELECT CASE WHEN x = 0 OR x IS NULL OR x = 'NaN' OR x IN ('Infinity', '-Infinity') THEN x
    -- In float arithmetic where that is exact: 10^k for k from 0 to 22 is a double, and x * 10^k
    -- is below 10^12, so it rounds (half away from zero, as numeric does) to an integer double,
    -- and the division gives the double nearest the decimal. The numeric round trip cost ~0.8 us
    -- a call, and an answer of 8,700 rows makes 13 calls a row: 130 ms of /v1/stats/authors'
    -- 220 ms at 10M events, against 50 ms this way.
    WHEN abs(x) >= 1e-10 AND abs(x) < 1e12 THEN
      sign(x) * floor(abs(x) * 10::float8 ^ (12 - ceil(log(abs(x)))::int) + 0.5)
        / 10::float8 ^ (12 - ceil(log(abs(x)))::int)
    ELSE round(x::numeric, 12 - ceil(log(abs(x)))::int)::float8 END
$function$;

CREATE OR REPLACE FUNCTION analytics.share(part double precision, whole double precision)
 RETURNS double precision
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$
  SELECT analytics.sig(part / nullif(whole, 0))
$function$;

CREATE OR REPLACE FUNCTION analytics.mapping_versions()
 RETURNS TABLE(scheme text, version text, events bigint)
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'public', 'analytics', 'pg_temp'
AS $function$
  SELECT split_part(mapping_version, '/', 1), mapping_version, count(*)
  FROM prompt_events GROUP BY mapping_version ORDER BY 3 DESC
$function$;

CREATE OR REPLACE FUNCTION analytics.default_engine(p_from date DEFAULT '-infinity'::date, p_to date DEFAULT 'infinity'::date)
 RETURNS text
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'public', 'analytics', 'pg_temp'
AS $function$
  SELECT CASE
    -- the usual case, one index probe: Google's events are there
    WHEN EXISTS (SELECT 1 FROM release_unit_daily WHERE engine = 'google' AND day >= p_from AND day < p_to)
      THEN 'google'
    ELSE coalesce((SELECT engine FROM release_unit_daily WHERE day >= p_from AND day < p_to
      GROUP BY engine ORDER BY sum(events) DESC, engine LIMIT 1), 'google')
  END
$function$;

-- p_groups: only units of these model groups (analytics.model_group), e.g. ARRAY['oss-china',
-- 'oss-row'] for the open models; a unit is of one group, so this sums whole units.
CREATE OR REPLACE FUNCTION analytics.category_share(p_engine text, p_from date, p_to date, p_interval text, p_model text DEFAULT NULL::text, p_author text DEFAULT NULL::text, p_groups text[] DEFAULT NULL::text[])
 RETURNS TABLE(period date, category text, events bigint, est_requests double precision, tokens bigint, est_tokens double precision, spend double precision, est_spend double precision, share_requests double precision, share_tokens double precision, share_spend double precision, var_requests double precision, var_tokens double precision, var_spend double precision)
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO 'public', 'analytics', 'pg_temp'
 SET plan_cache_mode TO 'force_custom_plan'
AS $function$
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
      AND (p_groups IS NULL OR u.source_group = ANY (p_groups))
    GROUP BY 1, 2
  ), named AS (
    SELECT c.*, c.category <> 'others' AS in_share FROM cells c
  )
  SELECT period, category, events, sig(est_requests), tokens, sig(est_tokens), sig(spend), sig(est_spend),
    CASE WHEN in_share THEN share(est_requests, sum(est_requests) FILTER (WHERE in_share) OVER w) END,
    CASE WHEN in_share THEN share(est_tokens, sum(est_tokens) FILTER (WHERE in_share) OVER w) END,
    CASE WHEN in_share THEN share(est_spend, sum(est_spend) FILTER (WHERE in_share) OVER w) END,
    sig(var_requests), sig(var_tokens), sig(var_spend)
  FROM named
  WINDOW w AS (PARTITION BY period)
  ORDER BY period, category;
END
$function$;

CREATE OR REPLACE FUNCTION analytics.tag_composition(p_engine text, p_from date, p_to date, p_interval text, p_category text DEFAULT NULL::text)
 RETURNS TABLE(period date, category text, tag text, events bigint, est_requests double precision, tokens bigint, est_tokens double precision, share_requests double precision, share_tokens double precision, var_requests double precision, var_tokens double precision)
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO 'public', 'analytics', 'pg_temp'
 SET plan_cache_mode TO 'force_custom_plan'
AS $function$
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
    share(est_requests, sum(est_requests) OVER w),
    share(est_tokens, sum(est_tokens) OVER w),
    sig(var_requests), sig(var_tokens)
  FROM cells
  WINDOW w AS (PARTITION BY period, category)
  ORDER BY period, category, tag;
END
$function$;

CREATE OR REPLACE FUNCTION analytics.author_mix(p_engine text, p_from date, p_to date, p_interval text, p_category text DEFAULT NULL::text)
 RETURNS TABLE(period date, author text, category text, events bigint, est_requests double precision, tokens bigint, est_tokens double precision, spend double precision, est_spend double precision, share_of_author_requests double precision, share_of_author_tokens double precision, share_of_author_spend double precision, share_of_category_requests double precision, share_of_category_tokens double precision, share_of_category_spend double precision, var_requests double precision, var_tokens double precision, var_spend double precision)
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO 'public', 'analytics', 'pg_temp'
 SET plan_cache_mode TO 'force_custom_plan'
AS $function$
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
    CASE WHEN in_mix THEN share(est_requests, sum(est_requests) FILTER (WHERE in_mix) OVER a) END,
    CASE WHEN in_mix THEN share(est_tokens, sum(est_tokens) FILTER (WHERE in_mix) OVER a) END,
    CASE WHEN in_mix THEN share(est_spend, sum(est_spend) FILTER (WHERE in_mix) OVER a) END,
    share(est_requests, sum(est_requests) OVER c),
    share(est_tokens, sum(est_tokens) OVER c),
    share(est_spend, sum(est_spend) OVER c),
    sig(var_requests), sig(var_tokens), sig(var_spend)
  FROM named
  WINDOW a AS (PARTITION BY period, author), c AS (PARTITION BY period, category)
  ORDER BY period, author NULLS LAST, category;
END
$function$;

-- Each category's split across the study's model groups (figures 8-9): closed (closed-china and
-- closed-row), oss-china, oss-row and unknown (models the catalogue does not know: counted and
-- shown, never guessed). Shares are of the category's weight, every group included.
CREATE OR REPLACE FUNCTION analytics.source_mix(p_engine text, p_from date, p_to date, p_interval text, p_category text DEFAULT NULL::text)
 RETURNS TABLE(period date, category text, source_group text, events bigint, est_requests double precision, tokens bigint, est_tokens double precision, spend double precision, est_spend double precision, share_of_category_requests double precision, share_of_category_tokens double precision, share_of_category_spend double precision, var_requests double precision, var_tokens double precision, var_spend double precision)
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO 'public', 'analytics', 'pg_temp'
 SET plan_cache_mode TO 'force_custom_plan'
AS $function$
#variable_conflict use_column
DECLARE
  w_from date := analytics.window_from(p_interval, p_from);
  w_to date := analytics.window_to(p_interval, p_to);
BEGIN
  RETURN QUERY
  WITH cells AS (
    SELECT analytics.bucket(p_interval, w_from, u.day) AS period, u.category,
      CASE WHEN u.source_group LIKE 'closed-%' THEN 'closed' ELSE u.source_group END AS source_group,
      sum(u.events)::bigint AS events, sum(u.est_requests) AS est_requests, sum(u.tokens)::bigint AS tokens,
      sum(u.est_tokens) AS est_tokens, sum(u.spend) AS spend, sum(u.est_spend) AS est_spend,
      sum(u.var_requests) AS var_requests, sum(u.var_tokens) AS var_tokens, sum(u.var_spend) AS var_spend
    FROM census_released_cells(p_engine, w_from, w_to) u
    WHERE u.outcome = 'classified' AND (p_category IS NULL OR u.category = p_category)
    GROUP BY 1, 2, 3
  )
  SELECT period, category, source_group, events, sig(est_requests), tokens, sig(est_tokens), sig(spend),
    sig(est_spend),
    share(est_requests, sum(est_requests) OVER c),
    share(est_tokens, sum(est_tokens) OVER c),
    share(est_spend, sum(est_spend) OVER c),
    sig(var_requests), sig(var_tokens), sig(var_spend)
  FROM cells
  WINDOW c AS (PARTITION BY period, category)
  ORDER BY period, category, source_group;
END
$function$;

-- The category mix within each value of a model trait the catalogue gives (p_kind 'reasoning':
-- true, false, unknown; 'size': small, medium, large, unknown, closed models' sizes included),
-- from the trait breakdown of released units (sql/floor.sql; reasoning and size are read off one
-- breakdown, so one unit's pieces under either are sums of the same shown pieces): a NULL trait
-- pools the values under k of some unit. Shares are of the (period, trait) among the named categories, as in
-- category_share; p_groups as there.
CREATE OR REPLACE FUNCTION analytics.trait_mix(p_engine text, p_from date, p_to date, p_interval text, p_kind text, p_groups text[] DEFAULT NULL::text[])
 RETURNS TABLE(period date, trait text, category text, events bigint, est_requests double precision, tokens bigint, est_tokens double precision, share_requests double precision, share_tokens double precision, var_requests double precision, var_tokens double precision)
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO 'public', 'analytics', 'pg_temp'
 SET plan_cache_mode TO 'force_custom_plan'
AS $function$
#variable_conflict use_column
DECLARE
  w_from date := analytics.window_from(p_interval, p_from);
  w_to date := analytics.window_to(p_interval, p_to);
BEGIN
  RETURN QUERY
  WITH cells AS (
    SELECT analytics.bucket(p_interval, w_from, b.day) AS period,
      split_part(b.value, '|', CASE p_kind WHEN 'reasoning' THEN 1 ELSE 2 END) AS trait, b.category,
      sum(b.events)::bigint AS events, sum(b.est_requests) AS est_requests,
      sum(b.tokens)::bigint AS tokens, sum(b.est_tokens) AS est_tokens,
      sum(b.var_requests) AS var_requests, sum(b.var_tokens) AS var_tokens
    FROM census_released_breakdown('trait', p_engine, w_from, w_to) b
    WHERE b.outcome = 'classified' AND p_kind IN ('reasoning', 'size')
      AND (p_groups IS NULL OR b.source_group = ANY (p_groups))
    GROUP BY 1, 2, 3
  ), named AS (
    SELECT c.*, c.category <> 'others' AS in_share FROM cells c
  )
  SELECT period, trait, category, events, sig(est_requests), tokens, sig(est_tokens),
    CASE WHEN in_share THEN share(est_requests, sum(est_requests) FILTER (WHERE in_share) OVER w) END,
    CASE WHEN in_share THEN share(est_tokens, sum(est_tokens) FILTER (WHERE in_share) OVER w) END,
    sig(var_requests), sig(var_tokens)
  FROM named
  WINDOW w AS (PARTITION BY period, trait)
  ORDER BY period, trait NULLS LAST, category;
END
$function$;

CREATE OR REPLACE FUNCTION analytics.cost_usage(p_engine text, p_from date, p_to date, p_interval text)
 RETURNS TABLE(period date, category text, events bigint, est_tokens double precision, est_spend double precision, usd_per_million_tokens double precision)
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO 'public', 'analytics', 'pg_temp'
 SET plan_cache_mode TO 'force_custom_plan'
AS $function$
#variable_conflict use_column
DECLARE
  w_from date := analytics.window_from(p_interval, p_from);
  w_to date := analytics.window_to(p_interval, p_to);
BEGIN
  RETURN QUERY
  SELECT analytics.bucket(p_interval, w_from, u.day) AS period, u.category, sum(u.events)::bigint,
    sig(sum(u.est_tokens)), sig(sum(u.est_spend)), sig(sum(u.est_spend) / nullif(sum(u.est_priced_tokens), 0) * 1e6)
  FROM census_released_cells(p_engine, w_from, w_to) u
  WHERE u.outcome = 'classified'
  GROUP BY 1, 2
  ORDER BY 1, 2;
END
$function$;

CREATE OR REPLACE FUNCTION analytics.language_mix(p_engine text, p_from date, p_to date, p_interval text, p_category text DEFAULT NULL::text)
 RETURNS TABLE(period date, category text, language text, events bigint, est_requests double precision, est_tokens double precision, share_requests double precision, share_tokens double precision)
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO 'public', 'analytics', 'pg_temp'
 SET plan_cache_mode TO 'force_custom_plan'
AS $function$
#variable_conflict use_column
DECLARE
  w_from date := analytics.window_from(p_interval, p_from);
  w_to date := analytics.window_to(p_interval, p_to);
BEGIN
  RETURN QUERY
  WITH cells AS (
    SELECT analytics.bucket(p_interval, w_from, b.day) AS period, b.category, b.value AS language,
      sum(b.events)::bigint AS events, sum(b.est_requests) AS est_requests, sum(b.est_tokens) AS est_tokens
    FROM census_released_breakdown('language', p_engine, w_from, w_to) b
    WHERE b.outcome = 'classified' AND (p_category IS NULL OR b.category = p_category)
    GROUP BY 1, 2, 3
  )
  SELECT period, category, language, events, sig(est_requests), sig(est_tokens),
    share(est_requests, sum(est_requests) OVER w),
    share(est_tokens, sum(est_tokens) OVER w)
  FROM cells
  WINDOW w AS (PARTITION BY period, category)
  ORDER BY period, category, language NULLS LAST;
END
$function$;

CREATE OR REPLACE FUNCTION analytics.coverage(p_engine text, p_from date, p_to date, p_interval text, p_by_language boolean DEFAULT false)
 RETURNS TABLE(period date, outcome text, language text, events bigint, est_requests double precision, share_requests double precision, var_requests double precision)
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO 'public', 'analytics', 'pg_temp'
 SET plan_cache_mode TO 'force_custom_plan'
AS $function$
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
    -- the language rows' sums per period, outcome and language (release_language_daily): the same
    -- totals as summing census_released_breakdown('language', ...), at a cost that does not grow
    -- with the released units
    SELECT analytics.bucket(p_interval, w_from, b.day), b.outcome, b.language,
      sum(b.events)::bigint, sum(b.est_requests), sum(b.var_requests)
    FROM census_released_languages(p_engine, w_from, w_to) b
    WHERE p_by_language
    GROUP BY 1, 2, 3
  )
  SELECT period, outcome, language, events, sig(est_requests),
    share(est_requests, sum(est_requests) OVER (PARTITION BY period)), sig(var_requests)
  FROM cells
  ORDER BY period, outcome, language NULLS LAST;
END
$function$;

-- The weekly views answer from the engine the data has (analytics.default_engine()).
CREATE OR REPLACE VIEW analytics.category_weekly AS
  SELECT * FROM analytics.category_share(analytics.default_engine(), '-infinity', 'infinity', 'week');

CREATE OR REPLACE VIEW analytics.tag_composition_weekly AS
  SELECT * FROM analytics.tag_composition(analytics.default_engine(), '-infinity', 'infinity', 'week');

CREATE OR REPLACE VIEW analytics.author_mix_weekly AS
  SELECT * FROM analytics.author_mix(analytics.default_engine(), '-infinity', 'infinity', 'week');

CREATE OR REPLACE VIEW analytics.source_mix_weekly AS
  SELECT * FROM analytics.source_mix(analytics.default_engine(), '-infinity', 'infinity', 'week');

CREATE OR REPLACE VIEW analytics.cost_usage_weekly AS
  SELECT * FROM analytics.cost_usage(analytics.default_engine(), '-infinity', 'infinity', 'week');

CREATE OR REPLACE VIEW analytics.language_weekly AS
  SELECT * FROM analytics.language_mix(analytics.default_engine(), '-infinity', 'infinity', 'week');

CREATE OR REPLACE VIEW analytics.coverage_weekly AS
  SELECT * FROM analytics.coverage(analytics.default_engine(), '-infinity', 'infinity', 'week');

CREATE OR REPLACE VIEW analytics.mapping_in_use AS SELECT * FROM analytics.mapping_versions();

-- The catalogue in use (analytics.model_attributes and analytics.model_group are in sql/floor.sql:
-- release units are partitioned by a model's group, and floor.sql is applied first).
CREATE OR REPLACE VIEW analytics.model_catalogue AS
  SELECT match, source, origin, size, params, reasoning, cite, version FROM public.model_catalogue;
