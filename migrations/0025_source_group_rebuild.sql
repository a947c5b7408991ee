-- After 0024 (generated from sql/): the grants of what 0023 dropped and 0024 made again, and the
-- release units rebuilt with their groups (the catalogue is the one stored at the last start or
-- `census catalogue reload`; a later change of it rebuilds them again).
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
SELECT census_rebuild_releases();
