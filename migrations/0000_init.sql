CREATE TABLE "api_keys" (
	"id" text PRIMARY KEY NOT NULL,
	"key_hash" text NOT NULL,
	"scopes" text[] NOT NULL,
	"name" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "api_keys_key_hash_unique" UNIQUE("key_hash")
);
--> statement-breakpoint
CREATE TABLE "prompt_events" (
	"id" text PRIMARY KEY NOT NULL,
	"observed_hour" timestamp with time zone NOT NULL,
	"model" text NOT NULL,
	"prompt_tokens" integer,
	"completion_tokens" integer,
	"cost_usd" numeric(20, 10),
	"sample_rate" double precision NOT NULL,
	"source" text NOT NULL,
	"language" text,
	"engine" text NOT NULL,
	"outcome" text NOT NULL,
	"category" text NOT NULL,
	"mapping_version" text NOT NULL,
	"char_count" integer NOT NULL,
	CONSTRAINT "prompt_events_sample_rate_ck" CHECK ("prompt_events"."sample_rate" > 0 AND "prompt_events"."sample_rate" <= 1),
	CONSTRAINT "prompt_events_source_ck" CHECK ("prompt_events"."source" IN ('live', 'backfill')),
	CONSTRAINT "prompt_events_engine_ck" CHECK ("prompt_events"."engine" IN ('google', 'emulator', 'synthetic')),
	CONSTRAINT "prompt_events_outcome_ck" CHECK ("prompt_events"."outcome" IN ('classified', 'too_short', 'unsupported_language', 'invalid'))
);
--> statement-breakpoint
CREATE TABLE "prompt_labels" (
	"event_id" text NOT NULL,
	"path" text NOT NULL,
	"confidence" real NOT NULL,
	"tag" text NOT NULL,
	"category" text NOT NULL,
	CONSTRAINT "prompt_labels_event_id_path_pk" PRIMARY KEY("event_id","path")
);
--> statement-breakpoint
ALTER TABLE "prompt_labels" ADD CONSTRAINT "prompt_labels_event_id_prompt_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."prompt_events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "prompt_events_hour_idx" ON "prompt_events" USING btree ("observed_hour");--> statement-breakpoint
CREATE INDEX "prompt_events_category_hour_idx" ON "prompt_events" USING btree ("category","observed_hour");--> statement-breakpoint
CREATE INDEX "prompt_labels_category_tag_idx" ON "prompt_labels" USING btree ("category","tag");