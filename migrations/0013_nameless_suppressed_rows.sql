-- A suppressed row names no author and no language: with its name shown, one event was enough to
-- reveal that an author (or a language) exists in a period. Category and tag names are the public
-- taxonomy and stay. Bodies as in 0002 but for the name columns and the order (hidden rows last).
CREATE OR REPLACE FUNCTION analytics.author_mix(
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
  SELECT period, CASE WHEN hide THEN NULL ELSE author END, category, hide,
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
  ORDER BY period, hide, CASE WHEN hide THEN NULL ELSE author END, category;
END
$$;
--> statement-breakpoint

CREATE OR REPLACE FUNCTION analytics.language_mix(
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
  SELECT period, category, CASE WHEN hide THEN NULL ELSE language END, hide,
    CASE WHEN hide THEN NULL ELSE events END, CASE WHEN hide THEN NULL ELSE est_requests END,
    CASE WHEN hide THEN NULL ELSE est_tokens END,
    CASE WHEN NOT hide THEN est_requests / nullif(sum(est_requests) FILTER (WHERE NOT hide) OVER w, 0) END,
    CASE WHEN NOT hide THEN est_tokens / nullif(sum(est_tokens) FILTER (WHERE NOT hide) OVER w, 0) END
  FROM marked
  WINDOW w AS (PARTITION BY period, category)
  ORDER BY period, category, hide, CASE WHEN hide THEN NULL ELSE language END;
END
$$;
