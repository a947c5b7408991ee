CREATE TABLE "backfill_runs" (
	"id" text PRIMARY KEY NOT NULL,
	"source" text NOT NULL,
	"fingerprint" text NOT NULL,
	"format" text NOT NULL,
	"options" jsonb NOT NULL,
	"status" text NOT NULL,
	"records" bigint DEFAULT 0 NOT NULL,
	"byte_offset" bigint,
	"counters" jsonb NOT NULL,
	"bad_lines" jsonb NOT NULL,
	"error" text,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	CONSTRAINT "backfill_runs_status_ck" CHECK ("backfill_runs"."status" IN ('running', 'interrupted', 'failed', 'done'))
);
