-- Issue 19, item 3 ("100M events"): prompt_events and prompt_labels partitioned by month of
-- observed_hour (sql/partitions.sql: the partitions, their maintenance, `census retention`).
--
-- A partitioned table's unique keys must hold its partition key, so the event's primary key is
-- (id, observed_hour): a repeated event id always comes with the same observed_hour (it is part of
-- the job, fixed at ingest), so ON CONFLICT still finds it and a repeat still inserts nothing. A
-- label carries its event's observed_hour (its foreign key is (event_id, observed_hour), declared
-- between each month's pair of partitions), so a month's labels live in that month's partition and
-- go with it. Ingest still drops an id already stored whatever its hour (ingest/service.ts).
--
-- The rows move to the new tables before the rollup triggers exist on them: the rollups already
-- count every one of them and stay as they are.
CREATE TABLE "census_retention" (
	"id" boolean PRIMARY KEY DEFAULT true NOT NULL,
	"kept_from" date NOT NULL,
	CONSTRAINT "census_retention_one_row_ck" CHECK ("id")
);
--> statement-breakpoint
DROP TRIGGER prompt_events_rollup ON prompt_events;
--> statement-breakpoint
DROP TRIGGER prompt_labels_rollup ON prompt_labels;
--> statement-breakpoint
ALTER TABLE prompt_events RENAME TO prompt_events_unpartitioned;
--> statement-breakpoint
ALTER INDEX prompt_events_pkey RENAME TO prompt_events_unpartitioned_pkey;
--> statement-breakpoint
ALTER TABLE prompt_labels RENAME TO prompt_labels_unpartitioned;
--> statement-breakpoint
ALTER INDEX prompt_labels_event_id_path_pk RENAME TO prompt_labels_unpartitioned_pk;
--> statement-breakpoint
CREATE TABLE "prompt_events" (
	"id" text NOT NULL,
	"observed_hour" timestamp with time zone NOT NULL,
	"model" text NOT NULL,
	"prompt_tokens" bigint,
	"completion_tokens" bigint,
	"cost_usd" numeric(20, 10),
	"sample_rate" double precision NOT NULL,
	"source" text NOT NULL,
	"language" text,
	"engine" text NOT NULL,
	"outcome" text NOT NULL,
	"category" text NOT NULL,
	"mapping_version" text NOT NULL,
	"char_count" integer NOT NULL,
	"answer_source" text DEFAULT 'google' NOT NULL,
	"redacted" boolean DEFAULT false NOT NULL,
	"text_from" text DEFAULT 'prompt' NOT NULL,
	CONSTRAINT "prompt_events_id_observed_hour_pk" PRIMARY KEY ("id", "observed_hour"),
	CONSTRAINT "prompt_events_sample_rate_ck" CHECK ("sample_rate" > 0 AND "sample_rate" <= 1),
	CONSTRAINT "prompt_events_source_ck" CHECK ("source" IN ('live', 'backfill')),
	CONSTRAINT "prompt_events_text_from_ck" CHECK ("text_from" IN ('prompt', 'last-user')),
	CONSTRAINT "prompt_events_engine_ck" CHECK ("engine" IN ('google', 'emulator', 'synthetic')),
	CONSTRAINT "prompt_events_outcome_ck" CHECK ("outcome" IN ('classified', 'too_short', 'unsupported_language', 'invalid')),
	CONSTRAINT "prompt_events_answer_source_ck" CHECK ("answer_source" IN ('google', 'cache', 'skipped'))
) PARTITION BY RANGE ("observed_hour");
--> statement-breakpoint
CREATE TABLE "prompt_labels" (
	"event_id" text NOT NULL,
	"path" text NOT NULL,
	"confidence" real NOT NULL,
	"tag" text NOT NULL,
	"category" text NOT NULL,
	"observed_hour" timestamp with time zone NOT NULL,
	CONSTRAINT "prompt_labels_event_id_path_observed_hour_pk" PRIMARY KEY ("event_id", "path", "observed_hour")
) PARTITION BY RANGE ("observed_hour");
--> statement-breakpoint
CREATE TABLE prompt_events_default PARTITION OF prompt_events DEFAULT;
--> statement-breakpoint
CREATE TABLE prompt_labels_default PARTITION OF prompt_labels DEFAULT;
--> statement-breakpoint
-- a label's foreign key, month by month (sql/partitions.sql says why): DEFAULT's here, each month's
-- by census_month_partition
ALTER TABLE prompt_labels_default ADD CONSTRAINT prompt_labels_default_event_fk FOREIGN KEY (event_id, observed_hour)
  REFERENCES prompt_events_default (id, observed_hour) ON DELETE CASCADE;
--> statement-breakpoint
SELECT census_month_partition(m) FROM (
  SELECT DISTINCT date_trunc('month', observed_hour AT TIME ZONE 'UTC')::date AS m FROM prompt_events_unpartitioned
) t ORDER BY m;
--> statement-breakpoint
SELECT census_ensure_partitions(3);
--> statement-breakpoint
INSERT INTO prompt_events SELECT * FROM prompt_events_unpartitioned;
--> statement-breakpoint
INSERT INTO prompt_labels (event_id, path, confidence, tag, category, observed_hour)
  SELECT l.event_id, l.path, l.confidence, l.tag, l.category, e.observed_hour
  FROM prompt_labels_unpartitioned l JOIN prompt_events_unpartitioned e ON e.id = l.event_id;
--> statement-breakpoint
DROP TABLE prompt_labels_unpartitioned;
--> statement-breakpoint
DROP TABLE prompt_events_unpartitioned;
--> statement-breakpoint
CREATE TRIGGER prompt_events_rollup AFTER INSERT ON prompt_events
  REFERENCING NEW TABLE AS new_events FOR EACH STATEMENT EXECUTE FUNCTION census_rollup_events_trigger();
--> statement-breakpoint
CREATE TRIGGER prompt_labels_rollup AFTER INSERT ON prompt_labels
  REFERENCING NEW TABLE AS new_labels FOR EACH STATEMENT EXECUTE FUNCTION census_rollup_labels_trigger();
--> statement-breakpoint
-- autovacuum analyzes partitions, never a partitioned parent
ANALYZE prompt_events;
--> statement-breakpoint
ANALYZE prompt_labels;
