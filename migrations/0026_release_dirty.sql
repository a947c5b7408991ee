-- Partitions whose released units are stale (issue 19, item 1): a write marks the (engine, day,
-- outcome, category) it touched here, cheaply, inside its own transaction, and the refresher
-- (census_refresh_dirty, sql/floor.sql) recomputes their units outside it, every few seconds.
-- Append-only on purpose, no unique key: an INSERT ... ON CONFLICT on a mark the refresher is
-- deleting would wait for the refresher's transaction, putting the refresh back on the write path.
-- `day` is the event's day, not its grain's first day: the refresher maps it with the grain of the
-- moment, so a FLOOR_GRAIN change never leaves a mark pointing at the wrong period.
CREATE TABLE "release_dirty" (
	"engine" text NOT NULL,
	"day" date NOT NULL,
	"outcome" text NOT NULL,
	"category" text NOT NULL,
	"marked_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "release_dirty_engine_idx" ON "release_dirty" USING btree ("engine");
