-- After 0024 (generated from sql/): the grants of what 0023 dropped and 0024 made again, and the
-- release units rebuilt with their groups. A database that released units before groups existed
-- keeps them: its stored models are pinned to one group, unknown, for every period so far (the
-- units of those periods are cut exactly as they were; a re-cut could be differenced against
-- answers published before), and to the catalogue's groups from the day after tomorrow on.
REVOKE EXECUTE ON FUNCTION census_release_cells_of(text, text, date[], text[], text[]) FROM PUBLIC;
--> statement-breakpoint
REVOKE EXECUTE ON FUNCTION census_released_cells(text, date, date) FROM PUBLIC;
--> statement-breakpoint
REVOKE EXECUTE ON FUNCTION census_released_breakdown(text, text, date, date) FROM PUBLIC;
--> statement-breakpoint
GRANT SELECT ON ALL TABLES IN SCHEMA analytics TO census_analyst;
--> statement-breakpoint
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA analytics TO census_analyst;
--> statement-breakpoint
INSERT INTO model_group_history (model, since, source_group, trait)
SELECT m.model, '-infinity', 'unknown', census_model_trait(m.model)
FROM (SELECT DISTINCT model FROM rollup_category_daily) m
ON CONFLICT DO NOTHING;
--> statement-breakpoint
SELECT census_pin_model_facts('after');
--> statement-breakpoint
SELECT census_rebuild_releases();
