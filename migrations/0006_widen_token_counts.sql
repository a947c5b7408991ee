ALTER TABLE "prompt_events" ALTER COLUMN "prompt_tokens" SET DATA TYPE bigint;--> statement-breakpoint
ALTER TABLE "prompt_events" ALTER COLUMN "completion_tokens" SET DATA TYPE bigint;