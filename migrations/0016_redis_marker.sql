-- The marker the service keeps in Redis, per queue: a Redis that comes back without the one
-- written here has lost its data (src/platform/redis-marker.ts). A random token, no content.
CREATE TABLE "redis_markers" (
	"queue" text PRIMARY KEY NOT NULL,
	"token" text NOT NULL,
	"written_at" timestamp with time zone DEFAULT now() NOT NULL
);
