-- Days whose rollups a `census remap` made stale (issue 19, item 3): each batch notes here, in its
-- own transaction, the (engine, day) of the events whose category or labels it changed; the
-- remap's last step deletes the notes and rebuilds those days' rollups
-- (census_rebuild_rollups_days, sql/rollups.sql) in one transaction. A table, not the session's
-- temp table, so a remap stopped between its batches and its rebuild leaves the notes to the next
-- run, which rebuilds them though no event is stale any more.
CREATE TABLE "remap_stale_days" (
	"engine" text NOT NULL,
	"day" date NOT NULL,
	CONSTRAINT "remap_stale_days_pkey" PRIMARY KEY("engine","day")
);
