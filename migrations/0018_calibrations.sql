-- census eval --save NAME: a labelled set's confusion matrix (counts only: no text, no id) and what it
-- was measured under; ?adjust=NAME on /v1/stats/categories corrects shares with it.
CREATE TABLE "calibrations" (
	"name" text PRIMARY KEY NOT NULL,
	"scheme" text NOT NULL,
	"mapping_version" text NOT NULL,
	"engine" text NOT NULL,
	"texts" integer NOT NULL,
	"confusion" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
