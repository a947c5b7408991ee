import pg from "pg";
import { bootstrapDatabase } from "../src/db/bootstrap";
import { runMigrations } from "../src/db/migrate";
import { createDeps, type Deps } from "../src/deps";
import type { Env } from "../src/env";
import { createLogger } from "../src/platform/logger";
import { refreshReleases } from "../src/stats/refresh";

// A database of the write benches' own (census_bench_writes), made empty for each run: the
// shared bench database holds the analytics bench's millions of events, and "an empty database"
// must be one.

const NAME = "census_bench_writes";

export async function writesDeps(env: Env): Promise<{ deps: Deps; drop(): Promise<void> }> {
  const admin = new pg.Client({ connectionString: env.DATABASE_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${NAME} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${NAME}`);
  await admin.end();
  const url = new URL(env.DATABASE_URL);
  url.pathname = `/${NAME}`;
  const log = createLogger("silent");
  await runMigrations(url.toString(), log);
  const deps = await createDeps({ ...env, DATABASE_URL: url.toString() }, log);
  await bootstrapDatabase(deps.pool, { taxonomy: deps.taxonomy, kMinEvents: env.K_MIN_EVENTS });
  return {
    deps,
    async drop() {
      await deps.close();
      const again = new pg.Client({ connectionString: env.DATABASE_URL });
      await again.connect();
      await again.query(`DROP DATABASE IF EXISTS ${NAME} WITH (FORCE)`);
      await again.end();
    },
  };
}

/**
 * Loads `count` emulator events into the last 7 days with SQL (one statement per table, triggers
 * included), a fifth of them in today's hours so far, half of those in one partition (today,
 * programming): the partition the worker bench's jobs write to. Then refreshes their units.
 */
export async function loadWeek(deps: Deps, count: number): Promise<{ seconds: number; today: number }> {
  const started = performance.now();
  // the week's months have their partitions, as the service's maintenance makes them: an event of
  // a past month would land in DEFAULT, whose labels then took minutes to check against it
  await deps.pool.query(
    "SELECT census_month_partition(date_trunc('month', now() AT TIME ZONE 'UTC' - interval '7 days')::date)",
  );
  await deps.pool.query(
    `INSERT INTO prompt_events (id, observed_hour, model, prompt_tokens, completion_tokens, cost_usd, sample_rate,
       source, language, engine, outcome, category, mapping_version, char_count, answer_source)
     SELECT 'load-' || g,
       CASE WHEN g % 5 = 0 THEN greatest(date_trunc('day', now()), date_trunc('hour', now()) - (g % 4) * interval '1 hour')
            ELSE date_trunc('day', now()) - (1 + g % 6) * interval '1 day' + (g % 24) * interval '1 hour' END,
       (ARRAY['openai/gpt-5', 'anthropic/claude-sonnet-4.5', 'google/gemini-2.5-pro', 'meta/llama-4',
              'mistral/large', 'small/m-' || (g % 40)])[1 + g % 6],
       100 + g % 900, 50 + g % 400, 0.001, 1, 'live', 'en', 'emulator', 'classified',
       CASE WHEN g % 2 = 0 THEN 'programming' ELSE (ARRAY['roleplay', 'technology', 'translation', 'general-qa',
         'productivity-writing', 'education', 'creative-writing', 'science', 'health', 'finance'])[1 + g % 10] END,
       $2, 1000, 'google'
     FROM generate_series(1, $1::int) g`,
    [count, deps.taxonomy.version],
  );
  await deps.pool.query("ANALYZE prompt_events"); // the labels' key checks plan against it
  await deps.pool.query(
    // a label carries its event's hour (prompt_labels is partitioned by month like the events)
    `INSERT INTO prompt_labels (event_id, path, confidence, tag, category, observed_hour)
     SELECT id, '/bench/' || (n % 20), 0.9, 'tag-' || (n % 20), 'programming', observed_hour
     FROM (SELECT id, observed_hour, substr(id, 6)::int AS n FROM prompt_events WHERE id LIKE 'load-%') e`,
  );
  await refreshReleases(deps.pool, true);
  const { rows } = await deps.pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM prompt_events WHERE engine = 'emulator' AND category = 'programming'
       AND observed_hour >= date_trunc('day', now())`,
  );
  return { seconds: (performance.now() - started) / 1000, today: rows[0]?.n ?? 0 };
}
