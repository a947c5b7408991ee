-- The privacy floor: which numbers may be published (docs/analytics.md "Privacy floor").
--
-- The current definitions, as a migrated database has them (test/sql-home.test.ts checks). Edit
-- here, then `node scripts/sql-migration.mjs <next tag>` makes the migration that applies them.
--
-- THE RULE. Every published number is a sum of *released units*; which units are released is
-- fixed by the data, never by the query. With k = census_settings.k_min_events (analytics.k_min())
-- and a grain g = census_settings.floor_grain (day, week from Monday, or month; analytics.floor_grain()),
-- for each engine, period of g, outcome, category and model group (analytics.model_group: the
-- catalogue's source x origin, or unknown):
--
--   1. a model's cell is released (unit_author, unit_model set) when it holds >= k events;
--   2. what is left of an author in the group (its models under k, pooled) is released (unit_model
--      NULL) when >= k;
--   3. what is left of the period's outcome, category and group, pooled over authors, is released
--      (unit_author and unit_model NULL) when >= k;
--   4. the rest is released nowhere: it adds to no number any query returns.
--
-- The group is a level of the partition, not a label on pools, so that a pool never mixes groups:
-- a filter by source or origin (sums of the units of some groups) is then a sum of whole released
-- units like any other answer, and the argument below holds for it unchanged. Its price: pools
-- split by group, so some events a pool over all groups would release stay hidden. A model's
-- group (and trait) for a period is the catalogue's as it stood when the model was first stored
-- there (census_model_facts, census_fact_at): a catalogue change applies only from a cutoff no stored event has
-- reached, so it never re-cuts a released unit (a re-cut could be differenced against answers
-- from before it). Changing k or the grain does re-cut every unit (census_rebuild_releases).
--
-- Units partition the events, each released one holds >= k, and a hidden one adds to nothing, so
-- no combination of answers (differences of authors and models, of overlapping ranges, of a week
-- and its days) depends on a hidden value. A breakdown (tag, language, and the trait: the
-- catalogue's reasoning and size of the unit's models, as one value) is released inside each
-- unit, its hidden values pooled, smallest first, until the pool holds >= k (for languages and
-- traits, which partition the unit, the pool is published as value NULL; for tags, which
-- overlap, it is dropped), so a unit's total gives none away.
-- Every window an answer covers is widened to whole grains (analytics.window_from/window_to).
--
-- Where: census_release_cells_of applies rules 1-4 to the rollups; census_refresh_releases writes
-- the units to release_unit_daily and the breakdowns to release_breakdown_daily (row `day` = the
-- first day of the unit's period); census_refresh_touched runs it, under one advisory lock per
-- engine, for given cells; census_refresh_dirty runs it for the partitions writes marked stale in
-- release_dirty (the worker's refresher, every REFRESH_INTERVAL_MS: answers lag writes by that
-- much); census_rebuild_releases redoes all of it (also when k or
-- the grain changes: trigger census_settings_k). A refresh also re-sums the released language rows
-- per period, outcome and language into release_language_daily (census_sum_languages). The
-- analytics functions (sql/analytics.sql) read only census_released_cells,
-- census_released_breakdown and census_released_languages (those sums).

CREATE OR REPLACE FUNCTION analytics.k_min()
 RETURNS integer
 LANGUAGE sql
 STABLE
AS $function$
  SELECT coalesce((SELECT k_min_events FROM census_settings), 10)
$function$;

CREATE OR REPLACE FUNCTION analytics.floor_grain()
 RETURNS text
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
  SELECT coalesce((SELECT floor_grain FROM census_settings), 'day')
$function$;

-- The model catalogue (config/models/, loaded at start; its table is public.model_catalogue): public metadata analysts join on models.
-- ids compared lower-cased; an exact entry wins (with the router's `:variant`, then without it),
-- else the longest `prefix*` the id without its variant starts with. Always one row: a model no
-- entry matches is 'unknown', never guessed. Join it on any model column:
--   SELECT x.*, a.source, a.origin FROM ... x CROSS JOIN LATERAL analytics.model_attributes(x.model) a
CREATE OR REPLACE FUNCTION analytics.model_attributes(p_model text)
RETURNS TABLE (model text, matched text, source text, origin text, size text, params real, reasoning boolean, catalogue_version text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, analytics, pg_temp AS $$
  WITH id AS (
    SELECT lower(btrim(p_model)) AS full_id, split_part(lower(btrim(p_model)), ':', 1) AS base_id
  )
  SELECT p_model, m.match, coalesce(m.source, 'unknown'), coalesce(m.origin, 'unknown'), m.size, m.params,
    m.reasoning, (SELECT max(version) FROM model_catalogue)
  FROM id LEFT JOIN LATERAL (
    SELECT c.* FROM model_catalogue c
    WHERE (right(c.match, 1) <> '*' AND c.match IN (id.full_id, id.base_id))
       OR (right(c.match, 1) = '*' AND starts_with(id.base_id, left(c.match, -1)))
    ORDER BY right(c.match, 1) = '*', c.match = id.base_id AND id.base_id <> id.full_id, length(c.match) DESC
    LIMIT 1
  ) m ON true
$$;

-- A model's group, source x origin: closed-china, closed-row, oss-china, oss-row, or unknown (no
-- catalogue entry). A level of the release units' partition (rules 2 and 3 pool within a group),
-- finer than the by-source answer's groups so that a filter on origin sums whole units too.
CREATE OR REPLACE FUNCTION analytics.model_group(p_model text)
 RETURNS text
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'public', 'analytics', 'pg_temp'
AS $function$
  SELECT CASE WHEN a.source = 'unknown' OR a.origin = 'unknown' THEN 'unknown' ELSE a.source || '-' || a.origin END
  FROM analytics.model_attributes(p_model) a
$function$;

-- A model's trait, its catalogue reasoning and size as one value ('true|large', 'unknown|unknown'):
-- one breakdown of each unit, pooled once, so no two published pieces of a unit can be differenced
-- into a hidden one (two breakdowns by public facts of the same models could: sizes minus
-- reasonings).
CREATE OR REPLACE FUNCTION public.census_model_trait(p_model text)
 RETURNS text
 LANGUAGE sql
 STABLE
AS $function$
  SELECT coalesce(a.reasoning::text, 'unknown') || '|' || coalesce(a.size, 'unknown')
  FROM analytics.model_attributes(p_model) a
$function$;

-- Models' groups and traits: the catalogue's now, and their history (model_group_history: each
-- stored model's group and trait from `since` on, as the catalogue stood when its events were
-- first released). A period's are census_fact_at(history, period's first day, now's): never
-- today's catalogue for a period already released, since a catalogue change that re-cut past
-- units would let an answer from before it be differenced against one from after; a change
-- applies from a cutoff on (census_pin_model_facts). The catalogue is read once per model (~1 ms
-- a lookup), and the refresh joins on model alone, as its plans were made for.
CREATE OR REPLACE FUNCTION public.census_model_facts(p_models text[])
 RETURNS TABLE(model text, source_group text, trait text, hist_since date[], hist_group text[], hist_trait text[])
 LANGUAGE plpgsql
 STABLE ROWS 50
AS $function$
BEGIN
  RETURN QUERY
  SELECT m.model, analytics.model_group(m.model), census_model_trait(m.model), h.s, h.g, h.t
  FROM (SELECT DISTINCT u.model FROM unnest(p_models) AS u(model)) m
  LEFT JOIN LATERAL (
    SELECT array_agg(x.since ORDER BY x.since) AS s, array_agg(x.source_group ORDER BY x.since) AS g,
      array_agg(x.trait ORDER BY x.since) AS t
    FROM model_group_history x WHERE x.model = m.model
  ) h ON true;
END $function$;

-- The value of a model's history for a period starting on p_day: the latest from on or before
-- it, else p_now (no history: the catalogue's).
CREATE OR REPLACE FUNCTION public.census_fact_at(p_since date[], p_values text[], p_day date, p_now text)
 RETURNS text
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$
  SELECT CASE WHEN p_since IS NULL THEN p_now ELSE coalesce(
    (SELECT v FROM unnest(p_since, p_values) AS x(s, v) WHERE s <= p_day ORDER BY s DESC LIMIT 1), p_now) END
$function$;

-- Around a change of the stored catalogue (src/catalogue/store.ts, in its transaction):
-- p_phase 'before' pins every stored model with no history to the facts it has now, for all time;
-- 'after' adds, for each stored model whose facts the new catalogue changes, the new facts from
-- p_since on (by default the day after tomorrow, UTC: later than any stored event can be, since
-- createdAt is at most a day ahead), so no released unit changes. Returns how many models changed.
CREATE OR REPLACE FUNCTION public.census_pin_model_facts(p_phase text, p_since date DEFAULT NULL::date)
 RETURNS integer
 LANGUAGE plpgsql
AS $function$
DECLARE
  n integer := 0;
BEGIN
  -- writers wait: a model first stored now is pinned too, or first refreshed after the change
  LOCK TABLE rollup_category_daily IN SHARE MODE;
  IF p_phase = 'before' THEN
    INSERT INTO model_group_history (model, since, source_group, trait)
    SELECT m.model, '-infinity', analytics.model_group(m.model), census_model_trait(m.model)
    FROM (SELECT DISTINCT model FROM rollup_category_daily) m
    WHERE NOT EXISTS (SELECT 1 FROM model_group_history h WHERE h.model = m.model);
    RETURN 0;
  END IF;
  INSERT INTO model_group_history AS h (model, since, source_group, trait)
  SELECT l.model, coalesce(p_since, (now() AT TIME ZONE 'UTC')::date + 2), analytics.model_group(l.model),
    census_model_trait(l.model)
  FROM (SELECT DISTINCT ON (model) model, source_group, trait FROM model_group_history
        ORDER BY model, since DESC) l
  WHERE (l.source_group, l.trait) IS DISTINCT FROM (analytics.model_group(l.model), census_model_trait(l.model))
  ON CONFLICT (model, since) DO UPDATE SET source_group = excluded.source_group, trait = excluded.trait;
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END $function$;

CREATE OR REPLACE FUNCTION public.census_grain_start(p_grain text, d date)
 RETURNS date
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$
  SELECT CASE WHEN p_grain = 'day' OR NOT isfinite(d) THEN d ELSE date_trunc(p_grain, d::timestamp)::date END
$function$;

CREATE OR REPLACE FUNCTION public.census_grain_days(p_grain text, p_starts date[])
 RETURNS date[]
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$
  SELECT CASE WHEN p_grain = 'day' THEN p_starts ELSE ARRAY(
    SELECT DISTINCT g::date FROM unnest(p_starts) s,
      generate_series(s::timestamp, s::timestamp + ('1 ' || p_grain)::interval - interval '1 day', interval '1 day') g
  ) END
$function$;

CREATE OR REPLACE FUNCTION public.census_release_cells_of(p_engine text, p_grain text, p_days date[], p_outcomes text[], p_categories text[])
 RETURNS TABLE(day date, outcome text, category text, source_group text, model text, unit_author text, unit_model text, events bigint, est_requests double precision, tokens bigint, est_tokens double precision, spend double precision, est_spend double precision, priced_tokens bigint, est_priced_tokens double precision, var_requests double precision, var_tokens double precision, var_spend double precision)
 LANGUAGE sql
 STABLE
AS $function$
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
  ), facts AS MATERIALIZED (
    SELECT * FROM census_model_facts(ARRAY(SELECT DISTINCT model FROM rolled))
  ), grouped AS (
    SELECT r.*, census_fact_at(f.hist_since, f.hist_group, r.day, f.source_group) AS source_group
    FROM rolled r JOIN facts f USING (model)
  ), cells AS (
    SELECT r.*, p.k,
      sum(r.events) FILTER (WHERE r.events < p.k)
        OVER (PARTITION BY r.day, r.outcome, r.category, r.source_group, r.author) AS author_rest
    FROM grouped r CROSS JOIN params p
  ), placed AS (
    SELECT c.*,
      sum(c.events) FILTER (WHERE c.events < c.k AND c.author_rest < c.k)
        OVER (PARTITION BY c.day, c.outcome, c.category, c.source_group) AS day_rest
    FROM cells c
  )
  SELECT day, outcome, category, source_group, model,
    CASE WHEN events >= k OR author_rest >= k THEN author END,
    CASE WHEN events >= k THEN model END,
    events, est_requests, tokens, est_tokens, spend, est_spend, priced_tokens, est_priced_tokens,
    var_requests, var_tokens, var_spend
  FROM placed
  WHERE events >= k OR author_rest >= k OR day_rest >= k
$function$;

CREATE OR REPLACE FUNCTION public.census_refresh_releases(p_engine text, p_grain text, p_days date[], p_outcomes text[], p_categories text[], p_kinds text[])
 RETURNS void
 LANGUAGE plpgsql
AS $function$
BEGIN
  DELETE FROM release_unit_daily WHERE 'unit' = ANY (p_kinds) AND engine = p_engine AND day = ANY (p_days)
    AND (day, outcome, category) IN (SELECT * FROM unnest(p_days, p_outcomes, p_categories));
  -- the trait breakdown is of the units themselves (the catalogue's, per model): it is rewritten
  -- with the units
  DELETE FROM release_breakdown_daily
  WHERE (kind = ANY (p_kinds) OR ('unit' = ANY (p_kinds) AND kind = 'trait'))
    AND engine = p_engine AND day = ANY (p_days)
    AND (day, outcome, category) IN (SELECT * FROM unnest(p_days, p_outcomes, p_categories));
  WITH units AS MATERIALIZED (
    SELECT * FROM census_release_cells_of(p_engine, p_grain, p_days, p_outcomes, p_categories)
  ), unit_rows AS (
    INSERT INTO release_unit_daily (day, engine, outcome, category, source_group, unit_author, unit_model,
      events, est_requests, tokens, est_tokens, spend, est_spend, priced_tokens, est_priced_tokens,
      var_requests, var_tokens, var_spend)
    SELECT u.day, p_engine, u.outcome, u.category, u.source_group, u.unit_author, u.unit_model, sum(u.events),
      sum(u.est_requests), sum(u.tokens), sum(u.est_tokens), sum(u.spend), sum(u.est_spend),
      sum(u.priced_tokens), sum(u.est_priced_tokens), sum(u.var_requests), sum(u.var_tokens), sum(u.var_spend)
    FROM units u WHERE 'unit' = ANY (p_kinds) GROUP BY 1, 2, 3, 4, 5, 6, 7
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
  ), traits AS MATERIALIZED (
    SELECT f.model, f.trait, f.hist_since, f.hist_trait
    FROM census_model_facts(ARRAY(SELECT DISTINCT model FROM units)) f
    WHERE 'unit' = ANY (p_kinds)
  ), cells AS (
    SELECT b.kind, u.day, u.outcome, u.category, u.source_group, u.unit_author, u.unit_model, b.value,
      sum(b.events)::bigint AS events, sum(b.est_requests) AS est_requests,
      sum(b.tokens)::bigint AS tokens, sum(b.est_tokens) AS est_tokens,
      sum(b.var_requests) AS var_requests, sum(b.var_tokens) AS var_tokens
    FROM units u
    JOIN parts b ON b.day = u.day AND b.outcome = u.outcome AND b.category = u.category AND b.model = u.model
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
    UNION ALL
    -- A model's trait (reasoning and size together; unknown where the catalogue does not say, as
    -- for closed models' sizes) splits each unit like its languages do: every event has one
    -- value, so the values partition the unit, and the pooling below publishes each piece only
    -- at >= k. One breakdown, not two: reasoning and size are public facts of the same models,
    -- and two breakdowns pooled apart could be differenced (all large minus all non-reasoning is
    -- the large reasoning models, which the size breakdown may have hidden). A breakdown, not a
    -- level of the partition: as a level it would split every pool more ways and hide more of
    -- every answer; as pieces of a released unit it adds no number that the unit and its other
    -- >= k pieces do not already give.
    SELECT 'trait', u.day, u.outcome, u.category, u.source_group, u.unit_author, u.unit_model,
      census_fact_at(t.hist_since, t.hist_trait, u.day, t.trait),
      sum(u.events)::bigint, sum(u.est_requests), sum(u.tokens)::bigint, sum(u.est_tokens),
      sum(u.var_requests), sum(u.var_tokens)
    FROM units u JOIN traits t USING (model)
    WHERE 'unit' = ANY (p_kinds)
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
  ), params AS MATERIALIZED (
    SELECT analytics.k_min() AS k
  ), ranked AS (
    SELECT c.*, p.k,
      count(*) FILTER (WHERE c.events < p.k) OVER unit AS n_small,
      row_number() OVER ordered AS rn,
      coalesce(sum(c.events) OVER (ordered ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS before
    FROM cells c CROSS JOIN params p
    WINDOW unit AS (PARTITION BY c.kind, c.day, c.outcome, c.category, c.source_group, c.unit_author,
      c.unit_model),
      ordered AS (unit ORDER BY c.events, c.value)
  ), released AS (
    SELECT r.*, CASE WHEN n_small > 0 AND (rn <= n_small OR before < k) THEN NULL ELSE value END AS shown
    FROM ranked r
  )
  INSERT INTO release_breakdown_daily (kind, day, engine, outcome, category, source_group, unit_author,
    unit_model, value, events, est_requests, tokens, est_tokens, var_requests, var_tokens)
  SELECT kind, day, p_engine, outcome, category, source_group, unit_author, unit_model, shown, sum(events),
    sum(est_requests), sum(tokens), sum(est_tokens), sum(var_requests), sum(var_tokens)
  FROM released
  WHERE shown IS NOT NULL OR kind <> 'tag'
  GROUP BY kind, day, outcome, category, source_group, unit_author, unit_model, shown;
  IF 'language' = ANY (p_kinds) THEN
    PERFORM census_sum_languages(p_engine, p_days, p_outcomes);
  END IF;
END $function$;

-- release_language_daily: the language rows of release_breakdown_daily summed per engine, period,
-- outcome and language (the pooled hidden languages as language NULL), what analytics.coverage by
-- language reads: one row per language a period instead of one per released unit, category and
-- language (at 3M events, 132k rows a year and growing with the units; this stays ~days x
-- outcomes x languages). Sums of released rows only, so it publishes nothing they do not.
-- Recomputed from the released rows of each (period, outcome) a refresh rewrote, never adjusted by
-- differences: equal to the sum of the rows whatever order the refreshes ran in. A period's
-- categories are refreshed as separate partitions, possibly by two refreshers at once, so each
-- (engine, period, outcome) is summed under an advisory lock held to commit, taken in one order:
-- the later summer waits and then reads the earlier one's committed rows (two concurrent sums
-- would each miss the other's category and leave two rows).
CREATE OR REPLACE FUNCTION public.census_sum_languages(p_engine text, p_days date[], p_outcomes text[])
 RETURNS void
 LANGUAGE plpgsql
AS $function$
DECLARE
  h integer;
BEGIN
  -- Past 256 (period, outcome) pairs (BULK_PARTITIONS in census_refresh_dirty) the caller holds
  -- the engine's release lock exclusively (census_refresh_dirty in bulk, census_refresh_touched,
  -- census_rebuild_releases), so no other refresher of the engine runs: taking it again costs
  -- nothing, where a lock per pair overflowed the lock table after a backfill of months.
  IF (SELECT count(DISTINCT (d, o)) FROM unnest(p_days, p_outcomes) AS u(d, o)) > 256 THEN
    PERFORM pg_advisory_xact_lock(hashtext('census_release'), hashtext(p_engine));
  ELSE
    FOR h IN SELECT DISTINCT hashtext(concat_ws('|', p_engine, d, o))
             FROM unnest(p_days, p_outcomes) AS u(d, o) ORDER BY 1 LOOP
      PERFORM pg_advisory_xact_lock(hashtext('census_release_language'), h);
    END LOOP;
  END IF;
  DELETE FROM release_language_daily l
  WHERE l.engine = p_engine AND l.day = ANY (p_days)
    AND (l.day, l.outcome) IN (SELECT * FROM unnest(p_days, p_outcomes));
  INSERT INTO release_language_daily (day, engine, outcome, language, events, est_requests, var_requests)
  SELECT b.day, p_engine, b.outcome, b.value, sum(b.events), sum(b.est_requests), sum(b.var_requests)
  FROM release_breakdown_daily b
  WHERE b.kind = 'language' AND b.engine = p_engine AND b.day = ANY (p_days)
    AND (b.day, b.outcome) IN (SELECT * FROM unnest(p_days, p_outcomes))
  GROUP BY b.day, b.outcome, b.value;
END $function$;

CREATE OR REPLACE FUNCTION public.census_refresh_touched(p_engines text[], p_days date[], p_outcomes text[], p_categories text[], p_kinds text[] DEFAULT ARRAY['unit'::text, 'tag'::text, 'language'::text])
 RETURNS void
 LANGUAGE plpgsql
AS $function$
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
END $function$;

CREATE OR REPLACE FUNCTION public.census_refresh_dirty(p_wait boolean DEFAULT false)
 RETURNS integer
 LANGUAGE plpgsql
AS $function$
-- Refreshes the release units of the partitions (engine, grain period, outcome, category) marked
-- in release_dirty; returns how many. Each partition is refreshed under its own advisory lock, so
-- concurrent refreshers (one per worker process) split the work and never refresh one partition
-- twice at once (its DELETE and INSERT of units would interleave); a partition another refresher
-- holds is skipped, its marks left for it, unless p_wait (tests, analysts: `SELECT
-- census_refresh_dirty(true)` returns once every mark committed before it is refreshed). The
-- engine's lock is taken shared: census_rebuild_releases (exclusive) waits for refreshers, and
-- they for it. Marks are deleted before the refresh reads the rollups: a mark's rollup rows were
-- committed with it, so the refresh sees them; a mark committed later stays for the next run.
DECLARE
  g text := analytics.floor_grain();
  e text;
  p record;
  days date[];
  outs text[];
  cats text[];
  n integer := 0;
  bulk boolean;
BEGIN
  FOR e IN SELECT DISTINCT engine FROM release_dirty ORDER BY 1 LOOP
    -- After a backfill of months, thousands of partitions are marked: one lock each, all held to
    -- commit, overflowed the shared lock table ("out of shared memory" at 12,444 marks with the
    -- default max_locks_per_transaction), and every later run failed the same way. Past
    -- BULK_PARTITIONS the refresher takes the engine's lock exclusively instead, as
    -- census_rebuild_releases does: it waits for the refreshers at work and they for it (marks
    -- of other engines and writes go on), and it covers every partition of the engine.
    bulk := (SELECT count(*) FROM (SELECT DISTINCT census_grain_start(g, d.day), d.outcome, d.category
                                   FROM release_dirty d WHERE d.engine = e) x) > 256; -- BULK_PARTITIONS
    IF bulk THEN
      PERFORM pg_advisory_xact_lock(hashtext('census_release'), hashtext(e));
    ELSE
      PERFORM pg_advisory_xact_lock_shared(hashtext('census_release'), hashtext(e));
    END IF;
    days := '{}';
    outs := '{}';
    cats := '{}';
    FOR p IN SELECT DISTINCT census_grain_start(g, d.day) AS day, d.outcome, d.category
             FROM release_dirty d WHERE d.engine = e ORDER BY 1, 2, 3 LOOP
      IF bulk THEN
        NULL; -- the engine's exclusive lock covers it
      ELSIF p_wait THEN
        PERFORM pg_advisory_xact_lock(hashtext('census_release_partition'),
          hashtext(concat_ws('|', e, p.day, p.outcome, p.category)));
      ELSIF NOT pg_try_advisory_xact_lock(hashtext('census_release_partition'),
          hashtext(concat_ws('|', e, p.day, p.outcome, p.category))) THEN
        CONTINUE;
      END IF;
      days := days || p.day;
      outs := outs || p.outcome;
      cats := cats || p.category;
    END LOOP;
    CONTINUE WHEN cardinality(days) = 0;
    DELETE FROM release_dirty d USING unnest(days, outs, cats) AS u(day, outcome, category)
    WHERE d.engine = e AND census_grain_start(g, d.day) = u.day AND d.outcome = u.outcome
      AND d.category = u.category;
    PERFORM census_refresh_releases(e, g, days, outs, cats, ARRAY['unit', 'tag', 'language']);
    n := n + cardinality(days);
  END LOOP;
  RETURN n;
END $function$;

CREATE OR REPLACE FUNCTION public.census_rebuild_releases()
 RETURNS void
 LANGUAGE plpgsql
AS $function$
DECLARE
  e text;
BEGIN
  FOR e IN SELECT DISTINCT engine FROM rollup_category_daily ORDER BY 1 LOOP
    PERFORM pg_advisory_xact_lock(hashtext('census_release'), hashtext(e));
  END LOOP;
  DELETE FROM release_unit_daily;
  DELETE FROM release_breakdown_daily;
  DELETE FROM release_language_daily;
  PERFORM census_refresh_touched(array_agg(engine), array_agg(day), array_agg(outcome), array_agg(category))
  FROM (SELECT DISTINCT engine, day, outcome, category FROM rollup_category_daily) t;
END $function$;

CREATE OR REPLACE FUNCTION public.census_settings_k_trigger()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
  PERFORM census_rebuild_releases();
  RETURN NULL;
END $function$;

CREATE OR REPLACE FUNCTION public.census_released_cells(p_engine text, p_from date, p_to date)
 RETURNS TABLE(day date, outcome text, category text, source_group text, unit_author text, unit_model text, events bigint, est_requests double precision, tokens bigint, est_tokens double precision, spend double precision, est_spend double precision, priced_tokens bigint, est_priced_tokens double precision, var_requests double precision, var_tokens double precision, var_spend double precision)
 LANGUAGE sql
 STABLE
AS $function$
  SELECT day, outcome, category, source_group, unit_author, unit_model, events, est_requests, tokens,
    est_tokens, spend, est_spend, priced_tokens, est_priced_tokens, var_requests, var_tokens, var_spend
  FROM release_unit_daily WHERE engine = p_engine AND day >= p_from AND day < p_to
$function$;

CREATE OR REPLACE FUNCTION public.census_released_breakdown(p_kind text, p_engine text, p_from date, p_to date)
 RETURNS TABLE(day date, outcome text, category text, source_group text, unit_author text, unit_model text, value text, events bigint, est_requests double precision, tokens bigint, est_tokens double precision, var_requests double precision, var_tokens double precision)
 LANGUAGE sql
 STABLE
AS $function$
  SELECT day, outcome, category, source_group, unit_author, unit_model, value, events, est_requests, tokens,
    est_tokens, var_requests, var_tokens
  FROM release_breakdown_daily WHERE engine = p_engine AND kind = p_kind AND day >= p_from AND day < p_to
$function$;

CREATE OR REPLACE FUNCTION public.census_released_languages(p_engine text, p_from date, p_to date)
 RETURNS TABLE(day date, outcome text, language text, events bigint, est_requests double precision, var_requests double precision)
 LANGUAGE sql
 STABLE
AS $function$
  SELECT day, outcome, language, events, est_requests, var_requests
  FROM release_language_daily WHERE engine = p_engine AND day >= p_from AND day < p_to
$function$;
