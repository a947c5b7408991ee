-- Which text of an item was classified (TEXT_FROM): the whole prompt, the study's rule, or a chat's
-- last user message. Events stored before were all the whole prompt.
ALTER TABLE "prompt_events" ADD COLUMN "text_from" text DEFAULT 'prompt' NOT NULL;--> statement-breakpoint
ALTER TABLE "prompt_events" ADD CONSTRAINT "prompt_events_text_from_ck" CHECK ("prompt_events"."text_from" IN ('prompt', 'last-user'));