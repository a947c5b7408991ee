-- Which mapping scheme and version the stored numbers come from (README "Categories"): events
-- keep the version they were mapped with until `census remap` moves them, so analysts can see
-- whether the views mix versions. Counts only, no floor needed: a version is not content.
CREATE FUNCTION analytics.mapping_versions()
RETURNS TABLE (scheme text, version text, events bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, analytics, pg_temp AS $$
  SELECT split_part(mapping_version, '/', 1), mapping_version, count(*)
  FROM prompt_events GROUP BY mapping_version ORDER BY 3 DESC
$$;
--> statement-breakpoint
CREATE VIEW analytics.mapping_in_use AS SELECT * FROM analytics.mapping_versions();
--> statement-breakpoint
GRANT SELECT ON analytics.mapping_in_use TO census_analyst;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION analytics.mapping_versions() TO census_analyst;
