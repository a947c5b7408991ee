CREATE TABLE "classify_cache" (
	"key" "bytea" PRIMARY KEY NOT NULL,
	"answer" jsonb,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "rollup_usage_daily" (
	"day" date NOT NULL,
	"engine" text NOT NULL,
	"answer_source" text NOT NULL,
	"events" bigint NOT NULL,
	"units" bigint NOT NULL,
	CONSTRAINT "rollup_usage_daily_day_engine_answer_source_pk" PRIMARY KEY("day","engine","answer_source")
);
--> statement-breakpoint
ALTER TABLE "prompt_events" ADD COLUMN "answer_source" text DEFAULT 'google' NOT NULL;--> statement-breakpoint
CREATE INDEX "classify_cache_expires_idx" ON "classify_cache" USING btree ("expires_at");--> statement-breakpoint
ALTER TABLE "prompt_events" ADD CONSTRAINT "prompt_events_answer_source_ck" CHECK ("prompt_events"."answer_source" IN ('google', 'cache', 'skipped'));