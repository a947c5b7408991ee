CREATE TABLE "census_settings" (
	"id" boolean PRIMARY KEY DEFAULT true NOT NULL,
	"k_min_events" integer NOT NULL,
	CONSTRAINT "census_settings_one_row_ck" CHECK ("census_settings"."id")
);
--> statement-breakpoint
CREATE TABLE "rollup_category_daily" (
	"day" date NOT NULL,
	"engine" text NOT NULL,
	"category" text NOT NULL,
	"model" text NOT NULL,
	"author" text NOT NULL,
	"events" bigint NOT NULL,
	"est_requests" double precision NOT NULL,
	"tokens" bigint NOT NULL,
	"est_tokens" double precision NOT NULL,
	"spend" double precision NOT NULL,
	"est_spend" double precision NOT NULL,
	"priced_tokens" bigint NOT NULL,
	"est_priced_tokens" double precision NOT NULL,
	CONSTRAINT "rollup_category_daily_day_engine_category_model_pk" PRIMARY KEY("day","engine","category","model")
);
--> statement-breakpoint
CREATE TABLE "rollup_language_daily" (
	"day" date NOT NULL,
	"engine" text NOT NULL,
	"category" text NOT NULL,
	"language" text NOT NULL,
	"events" bigint NOT NULL,
	"est_requests" double precision NOT NULL,
	"tokens" bigint NOT NULL,
	"est_tokens" double precision NOT NULL,
	CONSTRAINT "rollup_language_daily_day_engine_category_language_pk" PRIMARY KEY("day","engine","category","language")
);
--> statement-breakpoint
CREATE TABLE "rollup_tag_daily" (
	"day" date NOT NULL,
	"engine" text NOT NULL,
	"category" text NOT NULL,
	"tag" text NOT NULL,
	"events" bigint NOT NULL,
	"est_requests" double precision NOT NULL,
	"tokens" bigint NOT NULL,
	"est_tokens" double precision NOT NULL,
	CONSTRAINT "rollup_tag_daily_day_engine_category_tag_pk" PRIMARY KEY("day","engine","category","tag")
);
--> statement-breakpoint
CREATE TABLE "taxonomy_mappings" (
	"version" text PRIMARY KEY NOT NULL,
	"sha256" text NOT NULL,
	"rules" jsonb NOT NULL,
	"loaded_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "rollup_category_daily_engine_day_idx" ON "rollup_category_daily" USING btree ("engine","day");--> statement-breakpoint
CREATE INDEX "rollup_language_daily_engine_day_idx" ON "rollup_language_daily" USING btree ("engine","day");--> statement-breakpoint
CREATE INDEX "rollup_tag_daily_engine_day_idx" ON "rollup_tag_daily" USING btree ("engine","day");