-- Labels change only a partition's tag breakdown, yet their trigger refreshed its units and
-- languages too, repeating the work of the events trigger of the same write. Now it refreshes
-- the tags alone. Whichever of the two triggers fires second sees both rollups current: labels
-- first leaves tags on the old units and the events trigger redoes them on the new ones; events
-- first leaves tags without the new labels and the labels trigger redoes them.

DROP FUNCTION census_refresh_touched(text[], date[], text[], text[]);
--> statement-breakpoint
DROP FUNCTION census_refresh_releases(text, date[], text[], text[]);
--> statement-breakpoint

-- As in 0014, for the given kinds only ('unit', 'tag', 'language'); tags and languages are
-- released inside the units, which are read, not rewritten, when 'unit' is not among them.
CREATE FUNCTION census_refresh_releases(p_engine text, p_days date[], p_outcomes text[], p_categories text[],
  p_kinds text[])
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM release_unit_daily WHERE 'unit' = ANY (p_kinds) AND engine = p_engine AND day = ANY (p_days)
    AND (day, outcome, category) IN (SELECT * FROM unnest(p_days, p_outcomes, p_categories));
  DELETE FROM release_breakdown_daily WHERE kind = ANY (p_kinds) AND engine = p_engine AND day = ANY (p_days)
    AND (day, outcome, category) IN (SELECT * FROM unnest(p_days, p_outcomes, p_categories));
  WITH units AS MATERIALIZED (
    SELECT * FROM census_release_cells_of(p_engine, p_days, p_outcomes, p_categories)
  ), unit_rows AS (
    INSERT INTO release_unit_daily (day, engine, outcome, category, unit_author, unit_model, events,
      est_requests, tokens, est_tokens, spend, est_spend, priced_tokens, est_priced_tokens)
    SELECT u.day, p_engine, u.outcome, u.category, u.unit_author, u.unit_model, sum(u.events),
      sum(u.est_requests), sum(u.tokens), sum(u.est_tokens), sum(u.spend), sum(u.est_spend),
      sum(u.priced_tokens), sum(u.est_priced_tokens)
    FROM units u WHERE 'unit' = ANY (p_kinds) GROUP BY 1, 2, 3, 4, 5, 6
  ), touched AS MATERIALIZED (
    SELECT * FROM unnest(p_days, p_outcomes, p_categories) AS t(day, outcome, category)
  ), parts AS MATERIALIZED (
    SELECT 'tag' AS kind, b.day, b.outcome, b.category, b.model, b.tag AS value, b.events,
      b.est_requests, b.tokens, b.est_tokens
    FROM rollup_tag_daily b WHERE 'tag' = ANY (p_kinds) AND b.engine = p_engine AND b.day = ANY (p_days)
      AND (b.day, b.outcome, b.category) IN (SELECT * FROM touched)
    UNION ALL
    SELECT 'language', b.day, b.outcome, b.category, b.model, b.language, b.events, b.est_requests,
      b.tokens, b.est_tokens
    FROM rollup_language_daily b WHERE 'language' = ANY (p_kinds) AND b.engine = p_engine
      AND b.day = ANY (p_days)
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

CREATE FUNCTION census_refresh_touched(p_engines text[], p_days date[], p_outcomes text[],
  p_categories text[], p_kinds text[] DEFAULT ARRAY['unit', 'tag', 'language']) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  e text;
BEGIN
  FOR e IN SELECT DISTINCT x FROM unnest(p_engines) x ORDER BY 1 LOOP
    PERFORM pg_advisory_xact_lock(hashtext('census_release'), hashtext(e));
  END LOOP;
  PERFORM census_refresh_releases(t.engine, array_agg(t.day), array_agg(t.outcome), array_agg(t.category),
    p_kinds)
  FROM (SELECT DISTINCT * FROM unnest(p_engines, p_days, p_outcomes, p_categories)) AS t(engine, day, outcome, category)
  GROUP BY t.engine;
END $$;
--> statement-breakpoint

CREATE OR REPLACE FUNCTION census_rollup_labels_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE census_rollup_sql('tag', 'prompt_events', 'new_labels');
  PERFORM census_refresh_touched(array_agg(engine), array_agg(day), array_agg(outcome), array_agg(category),
    ARRAY['tag'])
  FROM (SELECT DISTINCT e.engine, (e.observed_hour AT TIME ZONE 'UTC')::date AS day, e.outcome, e.category
        FROM (SELECT DISTINCT event_id FROM new_labels) l JOIN prompt_events e ON e.id = l.event_id) t;
  RETURN NULL;
END $$;
--> statement-breakpoint
REVOKE EXECUTE ON FUNCTION census_refresh_releases(text, date[], text[], text[], text[]) FROM PUBLIC;
--> statement-breakpoint
REVOKE EXECUTE ON FUNCTION census_refresh_touched(text[], date[], text[], text[], text[]) FROM PUBLIC;
