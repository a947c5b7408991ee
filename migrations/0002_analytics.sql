-- Analytics: rollups kept current by triggers, and the functions and views analysts query.
-- Hand-written (drizzle-kit generate --custom); reviewed like any other migration.

-- The part of a model id before "/" ("anthropic/claude-sonnet-4.5" -> "anthropic").
CREATE FUNCTION census_author(model text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN position('/' IN model) > 1 THEN lower(split_part(model, '/', 1)) ELSE 'unknown' END
$$;
--> statement-breakpoint

-- The aggregation SQL, written once and run both by the triggers (over their transition tables)
-- and by census_rebuild_rollups() (over the whole tables). Rows are upserted in key order so
-- concurrent writers lock rollup rows in the same order and cannot deadlock.
CREATE FUNCTION census_rollup_sql(kind text, events_src text, labels_src text DEFAULT NULL) RETURNS text
LANGUAGE sql IMMUTABLE AS $fn$
  SELECT CASE kind
  WHEN 'category' THEN format($q$
    INSERT INTO rollup_category_daily AS r (day, engine, category, model, author, events, est_requests, tokens,
      est_tokens, spend, est_spend, priced_tokens, est_priced_tokens)
    SELECT (e.observed_hour AT TIME ZONE 'UTC')::date, e.engine, e.category, e.model, census_author(e.model),
      count(*), sum(1 / e.sample_rate), sum(e.tok), sum(e.tok / e.sample_rate),
      coalesce(sum(e.cost_usd::float8), 0), coalesce(sum(e.cost_usd::float8 / e.sample_rate), 0),
      coalesce(sum(e.tok) FILTER (WHERE e.cost_usd IS NOT NULL), 0),
      coalesce(sum(e.tok / e.sample_rate) FILTER (WHERE e.cost_usd IS NOT NULL), 0)
    FROM (SELECT *, coalesce(prompt_tokens, 0)::bigint + coalesce(completion_tokens, 0) AS tok FROM %I) e
    GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
    ON CONFLICT (day, engine, category, model) DO UPDATE SET
      events = r.events + excluded.events, est_requests = r.est_requests + excluded.est_requests,
      tokens = r.tokens + excluded.tokens, est_tokens = r.est_tokens + excluded.est_tokens,
      spend = r.spend + excluded.spend, est_spend = r.est_spend + excluded.est_spend,
      priced_tokens = r.priced_tokens + excluded.priced_tokens,
      est_priced_tokens = r.est_priced_tokens + excluded.est_priced_tokens$q$, events_src)
  WHEN 'language' THEN format($q$
    INSERT INTO rollup_language_daily AS r (day, engine, category, language, events, est_requests, tokens, est_tokens)
    SELECT (e.observed_hour AT TIME ZONE 'UTC')::date, e.engine, e.category, coalesce(e.language, 'und'),
      count(*), sum(1 / e.sample_rate), sum(e.tok), sum(e.tok / e.sample_rate)
    FROM (SELECT *, coalesce(prompt_tokens, 0)::bigint + coalesce(completion_tokens, 0) AS tok FROM %I) e
    GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
    ON CONFLICT (day, engine, category, language) DO UPDATE SET
      events = r.events + excluded.events, est_requests = r.est_requests + excluded.est_requests,
      tokens = r.tokens + excluded.tokens, est_tokens = r.est_tokens + excluded.est_tokens$q$, events_src)
  -- A tag counts once per event even when two of its paths map to it; it rolls up under the
  -- event's category (tags describe all labels of the requests in a category, as in the study).
  WHEN 'tag' THEN format($q$
    INSERT INTO rollup_tag_daily AS r (day, engine, category, tag, events, est_requests, tokens, est_tokens)
    SELECT (e.observed_hour AT TIME ZONE 'UTC')::date, e.engine, e.category, l.tag,
      count(*), sum(1 / e.sample_rate), sum(e.tok), sum(e.tok / e.sample_rate)
    FROM (SELECT DISTINCT event_id, tag FROM %I) l
    -- LATERAL: one primary-key lookup per new label, never a scan of all events
    CROSS JOIN LATERAL (
      SELECT ev.*, coalesce(ev.prompt_tokens, 0)::bigint + coalesce(ev.completion_tokens, 0) AS tok
      FROM %I ev WHERE ev.id = l.event_id
    ) e
    GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
    ON CONFLICT (day, engine, category, tag) DO UPDATE SET
      events = r.events + excluded.events, est_requests = r.est_requests + excluded.est_requests,
      tokens = r.tokens + excluded.tokens, est_tokens = r.est_tokens + excluded.est_tokens$q$, labels_src, events_src)
  END
$fn$;
--> statement-breakpoint

CREATE FUNCTION census_rollup_events_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE census_rollup_sql('category', 'new_events');
  EXECUTE census_rollup_sql('language', 'new_events');
  RETURN NULL;
END $$;
--> statement-breakpoint

-- Labels are written in the same statement as their event (or after it), so the event is visible.
CREATE FUNCTION census_rollup_labels_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE census_rollup_sql('tag', 'prompt_events', 'new_labels');
  RETURN NULL;
END $$;
--> statement-breakpoint

-- Statement-level with transition tables: one aggregated upsert per INSERT or COPY, however many rows.
CREATE TRIGGER prompt_events_rollup AFTER INSERT ON prompt_events
  REFERENCING NEW TABLE AS new_events FOR EACH STATEMENT EXECUTE FUNCTION census_rollup_events_trigger();
--> statement-breakpoint
CREATE TRIGGER prompt_labels_rollup AFTER INSERT ON prompt_labels
  REFERENCING NEW TABLE AS new_labels FOR EACH STATEMENT EXECUTE FUNCTION census_rollup_labels_trigger();
--> statement-breakpoint

-- Rebuilds every rollup from the base tables (after `census remap`, or to repair). A SHARE lock
-- on prompt_events holds off live writes (each writes its event and labels in one statement), so
-- no event lands half-counted. Locking prompt_labels too could deadlock with a writer that took
-- the labels table first.
CREATE FUNCTION census_rebuild_rollups() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  LOCK TABLE prompt_events IN SHARE MODE;
  TRUNCATE rollup_category_daily, rollup_language_daily, rollup_tag_daily;
  EXECUTE census_rollup_sql('category', 'prompt_events');
  EXECUTE census_rollup_sql('language', 'prompt_events');
  EXECUTE census_rollup_sql('tag', 'prompt_events', 'prompt_labels');
END $$;
--> statement-breakpoint

INSERT INTO census_settings (id, k_min_events) VALUES (true, 10) ON CONFLICT DO NOTHING;
--> statement-breakpoint

-- ===== What analysts query: schema `analytics` =====
-- Every function returns sample counts (`events`, the privacy floor applies to them) beside
-- population estimates (`est_*`: each event weighs 1 / sample rate). A cell backed by fewer than
-- k events is suppressed: all its numbers are NULL and `suppressed` is true. Shares are computed
-- over the cells shown, so no suppressed value can be recovered by subtracting shown ones from a
-- total; where a breakdown's parent is published elsewhere (a category's total, broken down by
-- author or language), one more cell is suppressed when the hidden ones add up to fewer than k.
CREATE SCHEMA analytics;
--> statement-breakpoint

-- The period a day falls in: a calendar unit (day, week, month, ...) or, for 'range', the whole
-- queried range labelled by its start.
CREATE FUNCTION analytics.bucket(p_interval text, p_from date, d date) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN p_interval = 'range' THEN p_from ELSE date_trunc(p_interval, d::timestamp)::date END
$$;
--> statement-breakpoint

CREATE FUNCTION analytics.k_min() RETURNS int LANGUAGE sql STABLE AS $$
  SELECT coalesce((SELECT k_min_events FROM census_settings), 10)
$$;
--> statement-breakpoint

-- Category share over time (study figure 19). `others` gets numbers but no share: shares are among
-- the named categories, as in the study. p_to is exclusive.
CREATE FUNCTION analytics.category_share(
  p_engine text, p_from date, p_to date, p_interval text,
  p_model text DEFAULT NULL, p_author text DEFAULT NULL)
RETURNS TABLE (period date, category text, suppressed boolean, events bigint, est_requests float8,
  tokens bigint, est_tokens float8, spend float8, est_spend float8,
  share_requests float8, share_tokens float8, share_spend float8)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, analytics, pg_temp
  SET plan_cache_mode = force_custom_plan AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY
  WITH params AS MATERIALIZED (SELECT analytics.k_min() AS k), cells AS (
    SELECT analytics.bucket(p_interval, p_from, r.day) AS period, r.category,
      sum(r.events)::bigint AS events, sum(r.est_requests) AS est_requests, sum(r.tokens)::bigint AS tokens,
      sum(r.est_tokens) AS est_tokens, sum(r.spend) AS spend, sum(r.est_spend) AS est_spend
    FROM rollup_category_daily r
    WHERE r.engine = p_engine AND r.day >= p_from AND r.day < p_to
      AND (p_model IS NULL OR r.model = p_model) AND (p_author IS NULL OR r.author = p_author)
    GROUP BY 1, 2
  ), marked AS (
    SELECT c.*, c.events < (SELECT k FROM params) AS hide FROM cells c
  ), shown AS (
    SELECT m.*, (NOT m.hide AND m.category <> 'others') AS in_share FROM marked m
  )
  SELECT period, category, hide,
    CASE WHEN hide THEN NULL ELSE events END, CASE WHEN hide THEN NULL ELSE est_requests END,
    CASE WHEN hide THEN NULL ELSE tokens END, CASE WHEN hide THEN NULL ELSE est_tokens END,
    CASE WHEN hide THEN NULL ELSE spend END, CASE WHEN hide THEN NULL ELSE est_spend END,
    CASE WHEN in_share THEN est_requests / nullif(sum(est_requests) FILTER (WHERE in_share) OVER w, 0) END,
    CASE WHEN in_share THEN est_tokens / nullif(sum(est_tokens) FILTER (WHERE in_share) OVER w, 0) END,
    CASE WHEN in_share THEN est_spend / nullif(sum(est_spend) FILTER (WHERE in_share) OVER w, 0) END
  FROM shown
  WINDOW w AS (PARTITION BY period)
  ORDER BY period, category;
END
$$;
--> statement-breakpoint

-- Tag composition within each category (figure 21): a tag's share of the category's weight,
-- among the tags shown. Tags overlap (an event carries several), so no complementary step.
CREATE FUNCTION analytics.tag_composition(
  p_engine text, p_from date, p_to date, p_interval text, p_category text DEFAULT NULL)
RETURNS TABLE (period date, category text, tag text, suppressed boolean, events bigint,
  est_requests float8, tokens bigint, est_tokens float8, share_requests float8, share_tokens float8)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, analytics, pg_temp
  SET plan_cache_mode = force_custom_plan AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY
  WITH params AS MATERIALIZED (SELECT analytics.k_min() AS k), cells AS (
    SELECT analytics.bucket(p_interval, p_from, r.day) AS period, r.category, r.tag,
      sum(r.events)::bigint AS events, sum(r.est_requests) AS est_requests,
      sum(r.tokens)::bigint AS tokens, sum(r.est_tokens) AS est_tokens
    FROM rollup_tag_daily r
    WHERE r.engine = p_engine AND r.day >= p_from AND r.day < p_to
      AND (p_category IS NULL OR r.category = p_category)
    GROUP BY 1, 2, 3
  ), marked AS (
    SELECT c.*, c.events < (SELECT k FROM params) AS hide FROM cells c
  )
  SELECT period, category, tag, hide,
    CASE WHEN hide THEN NULL ELSE events END, CASE WHEN hide THEN NULL ELSE est_requests END,
    CASE WHEN hide THEN NULL ELSE tokens END, CASE WHEN hide THEN NULL ELSE est_tokens END,
    CASE WHEN NOT hide THEN est_requests / nullif(sum(est_requests) FILTER (WHERE NOT hide) OVER w, 0) END,
    CASE WHEN NOT hide THEN est_tokens / nullif(sum(est_tokens) FILTER (WHERE NOT hide) OVER w, 0) END
  FROM marked
  WINDOW w AS (PARTITION BY period, category)
  ORDER BY period, category, tag;
END
$$;
--> statement-breakpoint

-- Model authors by category (figures 20, 22, 23): `share_of_author` is the category mix of an
-- author (named categories only); `share_of_category` is the author's share within a category.
CREATE FUNCTION analytics.author_mix(
  p_engine text, p_from date, p_to date, p_interval text, p_category text DEFAULT NULL)
RETURNS TABLE (period date, author text, category text, suppressed boolean, events bigint,
  est_requests float8, tokens bigint, est_tokens float8, spend float8, est_spend float8,
  share_of_author_requests float8, share_of_author_tokens float8, share_of_author_spend float8,
  share_of_category_requests float8, share_of_category_tokens float8, share_of_category_spend float8)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, analytics, pg_temp
  SET plan_cache_mode = force_custom_plan AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY
  WITH params AS MATERIALIZED (SELECT analytics.k_min() AS k), cells AS (
    SELECT analytics.bucket(p_interval, p_from, r.day) AS period, r.author, r.category,
      sum(r.events)::bigint AS events, sum(r.est_requests) AS est_requests, sum(r.tokens)::bigint AS tokens,
      sum(r.est_tokens) AS est_tokens, sum(r.spend) AS spend, sum(r.est_spend) AS est_spend
    FROM rollup_category_daily r
    WHERE r.engine = p_engine AND r.day >= p_from AND r.day < p_to
      AND (p_category IS NULL OR r.category = p_category)
    GROUP BY 1, 2, 3
  ), ranked AS (
    SELECT c.*, p.k,
      (sum(CASE WHEN c.events < p.k THEN c.events ELSE 0 END) OVER (PARTITION BY c.period, c.category))::bigint AS hidden_sum,
      row_number() OVER (PARTITION BY c.period, c.category, c.events < p.k ORDER BY c.events, c.author) AS visible_rank
    FROM cells c CROSS JOIN params p
  ), marked AS (
    -- complementary suppression: the smallest visible cell of a category is hidden too when the
    -- cells hidden for being small add up to fewer than k (but more than 0)
    SELECT r.*, (r.events < r.k OR (r.visible_rank = 1 AND r.events >= r.k AND r.hidden_sum > 0 AND r.hidden_sum < r.k)) AS hide
    FROM ranked r
  ), shown AS (
    SELECT m.*, (NOT m.hide AND m.category <> 'others') AS in_mix FROM marked m
  )
  SELECT period, author, category, hide,
    CASE WHEN hide THEN NULL ELSE events END, CASE WHEN hide THEN NULL ELSE est_requests END,
    CASE WHEN hide THEN NULL ELSE tokens END, CASE WHEN hide THEN NULL ELSE est_tokens END,
    CASE WHEN hide THEN NULL ELSE spend END, CASE WHEN hide THEN NULL ELSE est_spend END,
    CASE WHEN in_mix THEN est_requests / nullif(sum(est_requests) FILTER (WHERE in_mix) OVER a, 0) END,
    CASE WHEN in_mix THEN est_tokens / nullif(sum(est_tokens) FILTER (WHERE in_mix) OVER a, 0) END,
    CASE WHEN in_mix THEN est_spend / nullif(sum(est_spend) FILTER (WHERE in_mix) OVER a, 0) END,
    CASE WHEN NOT hide THEN est_requests / nullif(sum(est_requests) FILTER (WHERE NOT hide) OVER c, 0) END,
    CASE WHEN NOT hide THEN est_tokens / nullif(sum(est_tokens) FILTER (WHERE NOT hide) OVER c, 0) END,
    CASE WHEN NOT hide THEN est_spend / nullif(sum(est_spend) FILTER (WHERE NOT hide) OVER c, 0) END
  FROM shown
  WINDOW a AS (PARTITION BY period, author), c AS (PARTITION BY period, category)
  ORDER BY period, author, category;
END
$$;
--> statement-breakpoint

-- Cost versus usage per category (figure 26): estimated token volume and spend, and the average
-- price per 1M tokens over the events that carry a cost.
CREATE FUNCTION analytics.cost_usage(p_engine text, p_from date, p_to date, p_interval text)
RETURNS TABLE (period date, category text, suppressed boolean, events bigint, est_tokens float8,
  est_spend float8, usd_per_million_tokens float8)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, analytics, pg_temp
  SET plan_cache_mode = force_custom_plan AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY
  WITH params AS MATERIALIZED (SELECT analytics.k_min() AS k), cells AS (
    SELECT analytics.bucket(p_interval, p_from, r.day) AS period, r.category, sum(r.events)::bigint AS events,
      sum(r.est_tokens) AS est_tokens, sum(r.est_spend) AS est_spend, sum(r.est_priced_tokens) AS est_priced
    FROM rollup_category_daily r
    WHERE r.engine = p_engine AND r.day >= p_from AND r.day < p_to
    GROUP BY 1, 2
  )
  SELECT period, category, events < (SELECT k FROM params),
    CASE WHEN events < (SELECT k FROM params) THEN NULL ELSE events END,
    CASE WHEN events < (SELECT k FROM params) THEN NULL ELSE est_tokens END,
    CASE WHEN events < (SELECT k FROM params) THEN NULL ELSE est_spend END,
    CASE WHEN events < (SELECT k FROM params) THEN NULL ELSE est_spend / nullif(est_priced, 0) * 1e6 END
  FROM cells ORDER BY period, category;
END
$$;
--> statement-breakpoint

-- Language mix per category: each language's share of a category's requests.
CREATE FUNCTION analytics.language_mix(
  p_engine text, p_from date, p_to date, p_interval text, p_category text DEFAULT NULL)
RETURNS TABLE (period date, category text, language text, suppressed boolean, events bigint,
  est_requests float8, est_tokens float8, share_requests float8, share_tokens float8)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, analytics, pg_temp
  SET plan_cache_mode = force_custom_plan AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY
  WITH params AS MATERIALIZED (SELECT analytics.k_min() AS k), cells AS (
    SELECT analytics.bucket(p_interval, p_from, r.day) AS period, r.category, r.language,
      sum(r.events)::bigint AS events, sum(r.est_requests) AS est_requests, sum(r.est_tokens) AS est_tokens
    FROM rollup_language_daily r
    WHERE r.engine = p_engine AND r.day >= p_from AND r.day < p_to
      AND (p_category IS NULL OR r.category = p_category)
    GROUP BY 1, 2, 3
  ), ranked AS (
    SELECT c.*, p.k,
      (sum(CASE WHEN c.events < p.k THEN c.events ELSE 0 END) OVER (PARTITION BY c.period, c.category))::bigint AS hidden_sum,
      row_number() OVER (PARTITION BY c.period, c.category, c.events < p.k ORDER BY c.events, c.language) AS visible_rank
    FROM cells c CROSS JOIN params p
  ), marked AS (
    -- complementary suppression: the smallest visible cell of a category is hidden too when the
    -- cells hidden for being small add up to fewer than k (but more than 0)
    SELECT r.*, (r.events < r.k OR (r.visible_rank = 1 AND r.events >= r.k AND r.hidden_sum > 0 AND r.hidden_sum < r.k)) AS hide
    FROM ranked r
  )
  SELECT period, category, language, hide,
    CASE WHEN hide THEN NULL ELSE events END, CASE WHEN hide THEN NULL ELSE est_requests END,
    CASE WHEN hide THEN NULL ELSE est_tokens END,
    CASE WHEN NOT hide THEN est_requests / nullif(sum(est_requests) FILTER (WHERE NOT hide) OVER w, 0) END,
    CASE WHEN NOT hide THEN est_tokens / nullif(sum(est_tokens) FILTER (WHERE NOT hide) OVER w, 0) END
  FROM marked
  WINDOW w AS (PARTITION BY period, category)
  ORDER BY period, category, language;
END
$$;
--> statement-breakpoint

-- Weekly views over all time, for Google-classified events, with k from census_settings.
-- (Other engines and ranges: call the functions.)
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

-- A role for analysts: the analytics schema only, never the event or rollup tables. The functions
-- are SECURITY DEFINER (with a fixed search_path) so they read the rollups on the analyst's behalf
-- and always apply k from census_settings: no caller can lower it.
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'census_analyst') THEN
    CREATE ROLE census_analyst NOLOGIN;
  END IF;
END $$;
--> statement-breakpoint
GRANT USAGE ON SCHEMA analytics TO census_analyst;
--> statement-breakpoint
GRANT SELECT ON ALL TABLES IN SCHEMA analytics TO census_analyst;
--> statement-breakpoint
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA analytics TO census_analyst;
