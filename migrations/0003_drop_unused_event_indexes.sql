DROP INDEX "prompt_events_hour_idx";--> statement-breakpoint
DROP INDEX "prompt_events_category_hour_idx";--> statement-breakpoint
DROP INDEX "prompt_labels_category_tag_idx";