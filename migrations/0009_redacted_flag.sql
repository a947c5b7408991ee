-- Whether redaction (src/redaction) replaced anything before Google saw the text: a flag, nothing
-- about what it replaced. Events stored before redaction existed were not redacted.
ALTER TABLE "prompt_events" ADD COLUMN "redacted" boolean DEFAULT false NOT NULL;