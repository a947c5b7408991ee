-- A privacy floor that holds across queries (docs/analytics.md "Privacy floor").
--
-- Before: each answer suppressed its own cells under k, so two answers could be differenced (an
-- author's total minus one of its models, two overlapping ranges, a week minus its days) to
-- recover a suppressed value. Now every published number is a sum of *released units*, and which
-- units are released is fixed by the data, never by the query:
--
--   1. a model's cell of one day, outcome and category is released when it holds >= k events;
--   2. what is left of an author that day (its models under k, pooled) is released when >= k;
--   3. what is left of the day's outcome and category (pooled over authors) when >= k;
--   4. the rest is released nowhere: it adds to no number any query returns.
--
-- Units partition the events, each released one holds >= k, and a hidden one contributes to
-- nothing, so no combination of answers depends on a hidden value: differencing finds only
-- released units. A breakdown (tag, language) is released inside each unit, with its hidden
-- cells pooled until they hold >= k, so the unit's total cannot give one away.
--
-- The rollups gain the keys this needs (outcome, and model under tags and languages); coverage
-- reads the language rollup, so its own table goes. Rollup rows are rebuilt at the end.

DROP VIEW analytics.category_weekly, analytics.tag_composition_weekly, analytics.author_mix_weekly,
  analytics.cost_usage_weekly, analytics.language_weekly, analytics.coverage_weekly;
--> statement-breakpoint
DROP FUNCTION analytics.category_share(text, date, date, text, text, text),
  analytics.tag_composition(text, date, date, text, text),
  analytics.author_mix(text, date, date, text, text),
  analytics.cost_usage(text, date, date, text),
  analytics.language_mix(text, date, date, text, text),
  analytics.coverage(text, date, date, text, boolean),
  census_coverage_rollup_sql(text);
--> statement-breakpoint

TRUNCATE rollup_category_daily, rollup_tag_daily, rollup_language_daily;
--> statement-breakpoint
DROP TABLE "rollup_coverage_daily";
--> statement-breakpoint
ALTER TABLE "rollup_category_daily" DROP CONSTRAINT "rollup_category_daily_day_engine_category_model_pk";--> statement-breakpoint
ALTER TABLE "rollup_language_daily" DROP CONSTRAINT "rollup_language_daily_day_engine_category_language_pk";--> statement-breakpoint
ALTER TABLE "rollup_tag_daily" DROP CONSTRAINT "rollup_tag_daily_day_engine_category_tag_pk";--> statement-breakpoint
ALTER TABLE "rollup_category_daily" ADD COLUMN "outcome" text NOT NULL;--> statement-breakpoint
ALTER TABLE "rollup_language_daily" ADD COLUMN "outcome" text NOT NULL;--> statement-breakpoint
ALTER TABLE "rollup_language_daily" ADD COLUMN "model" text NOT NULL;--> statement-breakpoint
ALTER TABLE "rollup_tag_daily" ADD COLUMN "outcome" text NOT NULL;--> statement-breakpoint
ALTER TABLE "rollup_tag_daily" ADD COLUMN "model" text NOT NULL;--> statement-breakpoint
ALTER TABLE "rollup_category_daily" ADD CONSTRAINT "rollup_category_daily_day_engine_outcome_category_model_pk" PRIMARY KEY("day","engine","outcome","category","model");--> statement-breakpoint
ALTER TABLE "rollup_language_daily" ADD CONSTRAINT "rollup_language_daily_day_engine_outcome_category_model_language_pk" PRIMARY KEY("day","engine","outcome","category","model","language");--> statement-breakpoint
ALTER TABLE "rollup_tag_daily" ADD CONSTRAINT "rollup_tag_daily_day_engine_outcome_category_model_tag_pk" PRIMARY KEY("day","engine","outcome","category","model","tag");--> statement-breakpoint

-- As in 0002, with the new keys. Languages: 'und' (BCP 47 "undetermined") when none was detected.
CREATE OR REPLACE FUNCTION census_rollup_sql(kind text, events_src text, labels_src text DEFAULT NULL) RETURNS text
LANGUAGE sql IMMUTABLE AS $fn$
  SELECT CASE kind
  WHEN 'category' THEN format($q$
    INSERT INTO rollup_category_daily AS r (day, engine, outcome, category, model, author, events, est_requests,
      tokens, est_tokens, spend, est_spend, priced_tokens, est_priced_tokens)
    SELECT (e.observed_hour AT TIME ZONE 'UTC')::date, e.engine, e.outcome, e.category, e.model, census_author(e.model),
      count(*), sum(1 / e.sample_rate), sum(e.tok), sum(e.tok / e.sample_rate),
      coalesce(sum(e.cost_usd::float8), 0), coalesce(sum(e.cost_usd::float8 / e.sample_rate), 0),
      coalesce(sum(e.tok) FILTER (WHERE e.cost_usd IS NOT NULL), 0),
      coalesce(sum(e.tok / e.sample_rate) FILTER (WHERE e.cost_usd IS NOT NULL), 0)
    FROM (SELECT *, coalesce(prompt_tokens, 0)::bigint + coalesce(completion_tokens, 0) AS tok FROM %I) e
    GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (day, engine, outcome, category, model) DO UPDATE SET
      events = r.events + excluded.events, est_requests = r.est_requests + excluded.est_requests,
      tokens = r.tokens + excluded.tokens, est_tokens = r.est_tokens + excluded.est_tokens,
      spend = r.spend + excluded.spend, est_spend = r.est_spend + excluded.est_spend,
      priced_tokens = r.priced_tokens + excluded.priced_tokens,
      est_priced_tokens = r.est_priced_tokens + excluded.est_priced_tokens$q$, events_src)
  WHEN 'language' THEN format($q$
    INSERT INTO rollup_language_daily AS r (day, engine, outcome, category, model, language, events, est_requests,
      tokens, est_tokens)
    SELECT (e.observed_hour AT TIME ZONE 'UTC')::date, e.engine, e.outcome, e.category, e.model,
      coalesce(e.language, 'und'), count(*), sum(1 / e.sample_rate), sum(e.tok), sum(e.tok / e.sample_rate)
    FROM (SELECT *, coalesce(prompt_tokens, 0)::bigint + coalesce(completion_tokens, 0) AS tok FROM %I) e
    GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (day, engine, outcome, category, model, language) DO UPDATE SET
      events = r.events + excluded.events, est_requests = r.est_requests + excluded.est_requests,
      tokens = r.tokens + excluded.tokens, est_tokens = r.est_tokens + excluded.est_tokens$q$, events_src)
  -- A tag counts once per event even when two of its paths map to it; it rolls up under the
  -- event's category (tags describe all labels of the requests in a category, as in the study).
  WHEN 'tag' THEN format($q$
    INSERT INTO rollup_tag_daily AS r (day, engine, outcome, category, model, tag, events, est_requests, tokens,
      est_tokens)
    SELECT (e.observed_hour AT TIME ZONE 'UTC')::date, e.engine, e.outcome, e.category, e.model, l.tag,
      count(*), sum(1 / e.sample_rate), sum(e.tok), sum(e.tok / e.sample_rate)
    FROM (SELECT DISTINCT event_id, tag FROM %I) l
    -- LATERAL: one primary-key lookup per new label, never a scan of all events
    CROSS JOIN LATERAL (
      SELECT ev.*, coalesce(ev.prompt_tokens, 0)::bigint + coalesce(ev.completion_tokens, 0) AS tok
      FROM %I ev WHERE ev.id = l.event_id
    ) e
    GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (day, engine, outcome, category, model, tag) DO UPDATE SET
      events = r.events + excluded.events, est_requests = r.est_requests + excluded.est_requests,
      tokens = r.tokens + excluded.tokens, est_tokens = r.est_tokens + excluded.est_tokens$q$, labels_src, events_src)
  END
$fn$;
--> statement-breakpoint

-- ===== The release units =====
--
-- Which units are released is a function of the rollup rows of one day, outcome and category (a
-- *partition*), so it is computed when a write touches a partition and kept in release_unit_daily
-- and release_breakdown_daily; a query only sums rows there. (Computed per query, it made a
-- year's query 3-8x slower at 1M events: docs/analytics.md.)

CREATE TABLE "release_unit_daily" (
	"day" date NOT NULL,
	"engine" text NOT NULL,
	"outcome" text NOT NULL,
	"category" text NOT NULL,
	"unit_author" text,
	"unit_model" text,
	"events" bigint NOT NULL,
	"est_requests" double precision NOT NULL,
	"tokens" bigint NOT NULL,
	"est_tokens" double precision NOT NULL,
	"spend" double precision NOT NULL,
	"est_spend" double precision NOT NULL,
	"priced_tokens" bigint NOT NULL,
	"est_priced_tokens" double precision NOT NULL
);
--> statement-breakpoint
CREATE TABLE "release_breakdown_daily" (
	"kind" text NOT NULL,
	"day" date NOT NULL,
	"engine" text NOT NULL,
	"outcome" text NOT NULL,
	"category" text NOT NULL,
	"unit_author" text,
	"unit_model" text,
	"value" text,
	"events" bigint NOT NULL,
	"est_requests" double precision NOT NULL,
	"tokens" bigint NOT NULL,
	"est_tokens" double precision NOT NULL
);
--> statement-breakpoint
CREATE INDEX "release_unit_daily_engine_day_idx" ON "release_unit_daily" USING btree ("engine","day");
--> statement-breakpoint
CREATE INDEX "release_breakdown_daily_engine_kind_day_idx" ON "release_breakdown_daily" USING btree ("engine","kind","day");
--> statement-breakpoint

-- Every category-rollup cell of the given partitions (day, outcome and category, as three
-- arrays read in step) whose events are released, with the unit that releases them: unit_model set
-- for a model's own cell (rule 1), only unit_author for an author's pool (rule 2), neither for the
-- partition's pool (rule 3). Cells of rule 4 are not returned. `model` is here to join the
-- breakdown rollups. A unit never spans partitions, so nothing outside one changes its units.
CREATE FUNCTION census_release_cells_of(p_engine text, p_days date[], p_outcomes text[], p_categories text[])
RETURNS TABLE (day date, outcome text, category text, model text, unit_author text, unit_model text,
  events bigint, est_requests float8, tokens bigint, est_tokens float8, spend float8, est_spend float8,
  priced_tokens bigint, est_priced_tokens float8)
LANGUAGE sql STABLE AS $$
  WITH params AS MATERIALIZED (SELECT analytics.k_min() AS k), cells AS (
    SELECT r.*, p.k,
      sum(r.events) FILTER (WHERE r.events < p.k)
        OVER (PARTITION BY r.day, r.outcome, r.category, r.author) AS author_rest
    FROM rollup_category_daily r CROSS JOIN params p
    WHERE r.engine = p_engine AND r.day = ANY (p_days)
      AND (r.day, r.outcome, r.category) IN (SELECT * FROM unnest(p_days, p_outcomes, p_categories))
  ), placed AS (
    SELECT c.*,
      sum(c.events) FILTER (WHERE c.events < c.k AND c.author_rest < c.k)
        OVER (PARTITION BY c.day, c.outcome, c.category) AS day_rest
    FROM cells c
  )
  SELECT day, outcome, category, model,
    CASE WHEN events >= k OR author_rest >= k THEN author END,
    CASE WHEN events >= k THEN model END,
    events, est_requests, tokens, est_tokens, spend, est_spend, priced_tokens, est_priced_tokens
  FROM placed
  WHERE events >= k OR author_rest >= k OR day_rest >= k
$$;
--> statement-breakpoint

-- Recomputes the released units of the given partitions and their breakdowns. Inside each unit a
-- breakdown value's cell is shown when it holds >= k events; when some are under k, the smallest
-- shown cells are hidden with them until the hidden ones hold >= k together (for languages, which
-- partition a unit, the hidden ones are kept as one pooled row of >= k, never one small cell;
-- tags overlap, so hidden tags are kept nowhere).
CREATE FUNCTION census_refresh_releases(p_engine text, p_days date[], p_outcomes text[], p_categories text[])
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM release_unit_daily WHERE engine = p_engine AND day = ANY (p_days)
    AND (day, outcome, category) IN (SELECT * FROM unnest(p_days, p_outcomes, p_categories));
  DELETE FROM release_breakdown_daily WHERE engine = p_engine AND day = ANY (p_days)
    AND (day, outcome, category) IN (SELECT * FROM unnest(p_days, p_outcomes, p_categories));
  WITH units AS MATERIALIZED (
    SELECT * FROM census_release_cells_of(p_engine, p_days, p_outcomes, p_categories)
  ), unit_rows AS (
    INSERT INTO release_unit_daily (day, engine, outcome, category, unit_author, unit_model, events,
      est_requests, tokens, est_tokens, spend, est_spend, priced_tokens, est_priced_tokens)
    SELECT u.day, p_engine, u.outcome, u.category, u.unit_author, u.unit_model, sum(u.events),
      sum(u.est_requests), sum(u.tokens), sum(u.est_tokens), sum(u.spend), sum(u.est_spend),
      sum(u.priced_tokens), sum(u.est_priced_tokens)
    FROM units u GROUP BY 1, 2, 3, 4, 5, 6
  ), touched AS MATERIALIZED (
    SELECT * FROM unnest(p_days, p_outcomes, p_categories) AS t(day, outcome, category)
  ), parts AS MATERIALIZED (
    SELECT 'tag' AS kind, b.day, b.outcome, b.category, b.model, b.tag AS value, b.events,
      b.est_requests, b.tokens, b.est_tokens
    FROM rollup_tag_daily b WHERE b.engine = p_engine AND b.day = ANY (p_days)
      AND (b.day, b.outcome, b.category) IN (SELECT * FROM touched)
    UNION ALL
    SELECT 'language', b.day, b.outcome, b.category, b.model, b.language, b.events, b.est_requests,
      b.tokens, b.est_tokens
    FROM rollup_language_daily b WHERE b.engine = p_engine AND b.day = ANY (p_days)
      AND (b.day, b.outcome, b.category) IN (SELECT * FROM touched)
  ), cells AS (
    SELECT b.kind, u.day, u.outcome, u.category, u.unit_author, u.unit_model, b.value,
      sum(b.events)::bigint AS events, sum(b.est_requests) AS est_requests,
      sum(b.tokens)::bigint AS tokens, sum(b.est_tokens) AS est_tokens
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
    value, events, est_requests, tokens, est_tokens)
  SELECT kind, day, p_engine, outcome, category, unit_author, unit_model, shown, sum(events),
    sum(est_requests), sum(tokens), sum(est_tokens)
  FROM released
  WHERE shown IS NOT NULL OR kind = 'language'
  GROUP BY kind, day, outcome, category, unit_author, unit_model, shown;
END $$;
--> statement-breakpoint

-- Refreshes the partitions a write touched (engine, day, outcome, category, as arrays read in
-- step) under a transaction-scoped lock per engine: refreshes of an engine then run in commit
-- order and each sees every write committed before it, so the last one leaves the units of all
-- committed rows. The lock is taken in a statement of its own so that the refresh's snapshot is
-- taken after it is granted.
CREATE FUNCTION census_refresh_touched(p_engines text[], p_days date[], p_outcomes text[],
  p_categories text[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  e text;
BEGIN
  FOR e IN SELECT DISTINCT x FROM unnest(p_engines) x ORDER BY 1 LOOP
    PERFORM pg_advisory_xact_lock(hashtext('census_release'), hashtext(e));
  END LOOP;
  PERFORM census_refresh_releases(t.engine, array_agg(t.day), array_agg(t.outcome), array_agg(t.category))
  FROM (SELECT DISTINCT * FROM unnest(p_engines, p_days, p_outcomes, p_categories)) AS t(engine, day, outcome, category)
  GROUP BY t.engine;
END $$;
--> statement-breakpoint

CREATE OR REPLACE FUNCTION census_rollup_events_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE census_rollup_sql('category', 'new_events');
  EXECUTE census_rollup_sql('language', 'new_events');
  -- before the usage rollup, whose row per day would serialize writers too: the lock in
  -- census_refresh_touched is what the floor relies on (test/analytics.test.ts)
  PERFORM census_refresh_touched(array_agg(engine), array_agg(day), array_agg(outcome), array_agg(category))
  FROM (SELECT DISTINCT engine, (observed_hour AT TIME ZONE 'UTC')::date AS day, outcome, category
        FROM new_events) t;
  EXECUTE census_usage_rollup_sql('new_events');
  RETURN NULL;
END $$;
--> statement-breakpoint

CREATE OR REPLACE FUNCTION census_rollup_labels_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE census_rollup_sql('tag', 'prompt_events', 'new_labels');
  PERFORM census_refresh_touched(array_agg(engine), array_agg(day), array_agg(outcome), array_agg(category))
  FROM (SELECT DISTINCT e.engine, (e.observed_hour AT TIME ZONE 'UTC')::date AS day, e.outcome, e.category
        FROM (SELECT DISTINCT event_id FROM new_labels) l JOIN prompt_events e ON e.id = l.event_id) t;
  RETURN NULL;
END $$;
--> statement-breakpoint

-- Every partition, from the rollups: after a rebuild of them, or a change of k.
CREATE FUNCTION census_rebuild_releases() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM census_refresh_touched(array_agg(engine), array_agg(day), array_agg(outcome), array_agg(category))
  FROM (SELECT DISTINCT engine, day, outcome, category FROM rollup_category_daily) t;
END $$;
--> statement-breakpoint

CREATE OR REPLACE FUNCTION census_rebuild_rollups() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  LOCK TABLE prompt_events IN SHARE MODE;
  TRUNCATE rollup_category_daily, rollup_language_daily, rollup_tag_daily, rollup_usage_daily,
    release_unit_daily, release_breakdown_daily;
  EXECUTE census_rollup_sql('category', 'prompt_events');
  EXECUTE census_rollup_sql('language', 'prompt_events');
  EXECUTE census_rollup_sql('tag', 'prompt_events', 'prompt_labels');
  EXECUTE census_usage_rollup_sql('prompt_events');
  PERFORM census_rebuild_releases();
END $$;
--> statement-breakpoint

-- k decides every unit: when it changes (bootstrap writes K_MIN_EVENTS), recompute them all.
CREATE FUNCTION census_settings_k_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM census_rebuild_releases();
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER census_settings_k AFTER UPDATE OF k_min_events ON census_settings
  FOR EACH ROW WHEN (OLD.k_min_events IS DISTINCT FROM NEW.k_min_events)
  EXECUTE FUNCTION census_settings_k_trigger();
--> statement-breakpoint

-- What queries read: the released units of [p_from, p_to), and a breakdown of them. Value NULL
-- in a language breakdown is the unit's pool of hidden languages. Internal: analysts never call
-- them (EXECUTE revoked below), only the analytics functions do.
CREATE FUNCTION census_released_cells(p_engine text, p_from date, p_to date)
RETURNS TABLE (day date, outcome text, category text, unit_author text, unit_model text,
  events bigint, est_requests float8, tokens bigint, est_tokens float8, spend float8, est_spend float8,
  priced_tokens bigint, est_priced_tokens float8)
LANGUAGE sql STABLE AS $$
  SELECT day, outcome, category, unit_author, unit_model, events, est_requests, tokens, est_tokens,
    spend, est_spend, priced_tokens, est_priced_tokens
  FROM release_unit_daily WHERE engine = p_engine AND day >= p_from AND day < p_to
$$;
--> statement-breakpoint
CREATE FUNCTION census_released_breakdown(p_kind text, p_engine text, p_from date, p_to date)
RETURNS TABLE (day date, outcome text, category text, unit_author text, unit_model text, value text,
  events bigint, est_requests float8, tokens bigint, est_tokens float8)
LANGUAGE sql STABLE AS $$
  SELECT day, outcome, category, unit_author, unit_model, value, events, est_requests, tokens, est_tokens
  FROM release_breakdown_daily WHERE engine = p_engine AND kind = p_kind AND day >= p_from AND day < p_to
$$;
--> statement-breakpoint
REVOKE EXECUTE ON FUNCTION census_released_cells(text, date, date) FROM PUBLIC;
--> statement-breakpoint
REVOKE EXECUTE ON FUNCTION census_released_breakdown(text, text, date, date) FROM PUBLIC;
--> statement-breakpoint
REVOKE EXECUTE ON FUNCTION census_release_cells_of(text, date[], text[], text[]) FROM PUBLIC;
--> statement-breakpoint
REVOKE EXECUTE ON FUNCTION census_refresh_releases(text, date[], text[], text[]) FROM PUBLIC;
--> statement-breakpoint
REVOKE EXECUTE ON FUNCTION census_refresh_touched(text[], date[], text[], text[]) FROM PUBLIC;
--> statement-breakpoint
REVOKE EXECUTE ON FUNCTION census_rebuild_releases() FROM PUBLIC;
--> statement-breakpoint

-- ===== What analysts query =====

-- The window a query publishes: whole periods of its interval (a week from Monday, a month from
-- the 1st), so no period is cut short. 'day' and 'range' keep their days. p_to is exclusive.
CREATE FUNCTION analytics.window_from(p_interval text, p_from date) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN p_interval IN ('day', 'range') THEN p_from
    ELSE date_trunc(p_interval, p_from::timestamp)::date END
$$;
--> statement-breakpoint
CREATE FUNCTION analytics.window_to(p_interval text, p_to date) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN p_interval IN ('day', 'range') OR NOT isfinite(p_to) THEN p_to
    ELSE (date_trunc(p_interval, (p_to - 1)::timestamp)
      + CASE p_interval WHEN 'quarter' THEN interval '3 months' ELSE ('1 ' || p_interval)::interval END)::date END
$$;
--> statement-breakpoint

-- Published decimals: 12 significant digits. A sum of doubles depends on the order it is added
-- in, so its last digits would tell apart two pools of the same total made of different cells.
-- The exponent comes from the double's log10: numeric's log cost ~20 µs a call, most of a query.
CREATE FUNCTION analytics.sig(x float8) RETURNS float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN x = 0 OR x IS NULL OR x = 'NaN' OR x IN ('Infinity', '-Infinity') THEN x
    ELSE round(x::numeric, 12 - ceil(log(abs(x)))::int)::float8 END
$$;
--> statement-breakpoint

-- Category share over time (figure 19), over released units: with p_model, that model's own units;
-- with p_author, the author's units and its pool. `others` gets numbers but no share.
CREATE FUNCTION analytics.category_share(
  p_engine text, p_from date, p_to date, p_interval text,
  p_model text DEFAULT NULL, p_author text DEFAULT NULL)
RETURNS TABLE (period date, category text, events bigint, est_requests float8,
  tokens bigint, est_tokens float8, spend float8, est_spend float8,
  share_requests float8, share_tokens float8, share_spend float8)
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
      sum(u.est_tokens) AS est_tokens, sum(u.spend) AS spend, sum(u.est_spend) AS est_spend
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
    sig(CASE WHEN in_share THEN est_spend / nullif(sum(est_spend) FILTER (WHERE in_share) OVER w, 0) END)
  FROM named
  WINDOW w AS (PARTITION BY period)
  ORDER BY period, category;
END
$$;
--> statement-breakpoint

-- Tag composition within each category (figure 21): a tag's share of the category's weight among
-- the tags shown. Tags overlap (an event carries several), so there is no pooled row.
CREATE FUNCTION analytics.tag_composition(
  p_engine text, p_from date, p_to date, p_interval text, p_category text DEFAULT NULL)
RETURNS TABLE (period date, category text, tag text, events bigint,
  est_requests float8, tokens bigint, est_tokens float8, share_requests float8, share_tokens float8)
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
      sum(b.tokens)::bigint AS tokens, sum(b.est_tokens) AS est_tokens
    FROM census_released_breakdown('tag', p_engine, w_from, w_to) b
    WHERE b.outcome = 'classified' AND b.value IS NOT NULL
      AND (p_category IS NULL OR b.category = p_category)
    GROUP BY 1, 2, 3
  )
  SELECT period, category, tag, events, sig(est_requests), tokens, sig(est_tokens),
    sig(est_requests / nullif(sum(est_requests) OVER w, 0)),
    sig(est_tokens / nullif(sum(est_tokens) OVER w, 0))
  FROM cells
  WINDOW w AS (PARTITION BY period, category)
  ORDER BY period, category, tag;
END
$$;
--> statement-breakpoint

-- Model authors by category (figures 20, 22, 23). A row with no author is the pool of authors
-- each under the floor that day: counted in the category, named nowhere. `share_of_author` is the
-- category mix of an author (named categories only); `share_of_category` is a row's share within
-- its category, the pool included, so a category's rows add up to it.
CREATE FUNCTION analytics.author_mix(
  p_engine text, p_from date, p_to date, p_interval text, p_category text DEFAULT NULL)
RETURNS TABLE (period date, author text, category text, events bigint,
  est_requests float8, tokens bigint, est_tokens float8, spend float8, est_spend float8,
  share_of_author_requests float8, share_of_author_tokens float8, share_of_author_spend float8,
  share_of_category_requests float8, share_of_category_tokens float8, share_of_category_spend float8)
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
      sum(u.est_tokens) AS est_tokens, sum(u.spend) AS spend, sum(u.est_spend) AS est_spend
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
    sig(est_spend / nullif(sum(est_spend) OVER c, 0))
  FROM named
  WINDOW a AS (PARTITION BY period, author), c AS (PARTITION BY period, category)
  ORDER BY period, author NULLS LAST, category;
END
$$;
--> statement-breakpoint

-- Cost versus usage per category (figure 26): estimated token volume and spend, and the average
-- price per 1M tokens over the events that carry a cost.
CREATE FUNCTION analytics.cost_usage(p_engine text, p_from date, p_to date, p_interval text)
RETURNS TABLE (period date, category text, events bigint, est_tokens float8,
  est_spend float8, usd_per_million_tokens float8)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, analytics, pg_temp
  SET plan_cache_mode = force_custom_plan AS $$
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
$$;
--> statement-breakpoint

-- Language mix per category: each language's share of a category's requests. A row with no
-- language pools the languages hidden inside their units, so a category's rows add up to it.
CREATE FUNCTION analytics.language_mix(
  p_engine text, p_from date, p_to date, p_interval text, p_category text DEFAULT NULL)
RETURNS TABLE (period date, category text, language text, events bigint,
  est_requests float8, est_tokens float8, share_requests float8, share_tokens float8)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, analytics, pg_temp
  SET plan_cache_mode = force_custom_plan AS $$
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
    sig(est_requests / nullif(sum(est_requests) OVER w, 0)),
    sig(est_tokens / nullif(sum(est_tokens) OVER w, 0))
  FROM cells
  WINDOW w AS (PARTITION BY period, category)
  ORDER BY period, category, language NULLS LAST;
END
$$;
--> statement-breakpoint

-- Coverage per period (GET /v1/stats/coverage): each outcome's share of the released events;
-- `by_language` splits each outcome by language (refused events keep the language Google named),
-- with a row of no language pooling the languages hidden inside their units.
CREATE FUNCTION analytics.coverage(
  p_engine text, p_from date, p_to date, p_interval text, p_by_language boolean DEFAULT false)
RETURNS TABLE (period date, outcome text, language text, events bigint, est_requests float8,
  share_requests float8)
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
      sum(u.events)::bigint AS events, sum(u.est_requests) AS est_requests
    FROM census_released_cells(p_engine, w_from, w_to) u
    WHERE NOT p_by_language
    GROUP BY 1, 2
    UNION ALL
    SELECT analytics.bucket(p_interval, w_from, b.day), b.outcome, b.value,
      sum(b.events)::bigint, sum(b.est_requests)
    FROM census_released_breakdown('language', p_engine, w_from, w_to) b
    WHERE p_by_language
    GROUP BY 1, 2, 3
  )
  SELECT period, outcome, language, events, sig(est_requests),
    sig(est_requests / nullif(sum(est_requests) OVER (PARTITION BY period), 0))
  FROM cells
  ORDER BY period, outcome, language NULLS LAST;
END
$$;
--> statement-breakpoint

-- Weekly views over all time, for Google-classified events. (Other engines and ranges: call the functions.)
CREATE VIEW analytics.category_weekly AS
  SELECT * FROM analytics.category_share('google', '-infinity', 'infinity', 'week');
--> statement-breakpoint
CREATE VIEW analytics.tag_composition_weekly AS
  SELECT * FROM analytics.tag_composition('google', '-infinity', 'infinity', 'week');
--> statement-breakpoint
CREATE VIEW analytics.author_mix_weekly AS
  SELECT * FROM analytics.author_mix('google', '-infinity', 'infinity', 'week');
--> statement-breakpoint
CREATE VIEW analytics.cost_usage_weekly AS
  SELECT * FROM analytics.cost_usage('google', '-infinity', 'infinity', 'week');
--> statement-breakpoint
CREATE VIEW analytics.language_weekly AS
  SELECT * FROM analytics.language_mix('google', '-infinity', 'infinity', 'week');
--> statement-breakpoint
CREATE VIEW analytics.coverage_weekly AS
  SELECT * FROM analytics.coverage('google', '-infinity', 'infinity', 'week');
--> statement-breakpoint
GRANT SELECT ON ALL TABLES IN SCHEMA analytics TO census_analyst;
--> statement-breakpoint
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA analytics TO census_analyst;
--> statement-breakpoint

-- the events stored before this migration, under the new keys
SELECT census_rebuild_rollups();
