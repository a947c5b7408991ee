-- The model catalogue in use (issue 21): config/models/catalogue.json with the operator's
-- MODEL_CATALOGUE file over it, written at start and by `census catalogue reload`. Public metadata
-- about models, no event data: analysts read it as they read the analytics schema.
CREATE TABLE "model_catalogue" (
	"match" text PRIMARY KEY NOT NULL,
	"source" text NOT NULL,
	"origin" text NOT NULL,
	"size" text,
	"params" real,
	"reasoning" boolean NOT NULL,
	"cite" text NOT NULL,
	"version" text NOT NULL,
	CONSTRAINT "model_catalogue_source" CHECK ("model_catalogue"."source" IN ('closed', 'oss')),
	CONSTRAINT "model_catalogue_origin" CHECK ("model_catalogue"."origin" IN ('china', 'row')),
	CONSTRAINT "model_catalogue_size" CHECK ("model_catalogue"."size" IS NULL OR "model_catalogue"."size" IN ('small', 'medium', 'large'))
);
--> statement-breakpoint

-- A model's attributes by the catalogue's rule (src/catalogue/lookup.ts: keep the two together):
-- ids compared lower-cased; an exact entry wins (with the router's `:variant`, then without it),
-- else the longest `prefix*` the id without its variant starts with. Always one row: a model no
-- entry matches is 'unknown', never guessed. Join it on any model column:
--   SELECT x.*, a.source, a.origin FROM ... x CROSS JOIN LATERAL analytics.model_attributes(x.model) a
CREATE FUNCTION analytics.model_attributes(p_model text)
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
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION analytics.model_attributes(text) TO census_analyst;
--> statement-breakpoint
CREATE VIEW analytics.model_catalogue AS
  SELECT match, source, origin, size, params, reasoning, cite, version FROM public.model_catalogue;
--> statement-breakpoint
GRANT SELECT ON analytics.model_catalogue TO census_analyst;
