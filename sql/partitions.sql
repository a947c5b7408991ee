-- Month partitions of prompt_events and prompt_labels (migrations/0029, README "Scaling out").
--
-- The current definitions, as a migrated database has them (test/sql-home.test.ts checks). Edit
-- here, then `node scripts/sql-migration.mjs <next tag>` makes the migration that applies them.
--
-- Both tables are partitioned by range of observed_hour, one partition per UTC month, named
-- prompt_events_pYYYY_MM / prompt_labels_pYYYY_MM, plus a DEFAULT partition each so an event of a
-- month without a partition (a backfill of old logs, a clock far ahead) is stored, never refused.
-- A label carries its event's observed_hour, so it lives in its event's month and a month goes
-- with one DETACH per table. Its foreign key is declared month by month (prompt_labels_pM to
-- prompt_events_pM, DEFAULT to DEFAULT), not on the parents: Postgres 15 checks a key referencing
-- a partitioned table through the parent, which measured ~75 us per label (200k labels: 15 s of
-- 17.5 s) against a plain index probe into one month.
--
-- census_ensure_partitions(ahead) is the maintenance step (at every start and hourly from the
-- workers, `census partitions`): it creates this month and `ahead` months after it, and gives
-- every month found in the DEFAULT partitions a partition of its own, moving those rows out of
-- DEFAULT. Rows move table to table, never through the parents, so the rollup triggers do not fire
-- again: the rollups counted them when they landed. census_drop_month detaches and drops a month
-- (`census retention`); the rollups keep its aggregates.

CREATE OR REPLACE FUNCTION public.census_label_key(p_labels text, p_events text)
 RETURNS void
 LANGUAGE plpgsql
AS $function$
BEGIN
  -- the partition's primary key is created by ATTACH: the key it references must exist first
  EXECUTE format('ALTER TABLE %I ADD PRIMARY KEY (id, observed_hour)', p_events);
  EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I FOREIGN KEY (event_id, observed_hour)
    REFERENCES %I (id, observed_hour) ON DELETE CASCADE', p_labels, p_labels || '_event_fk', p_events);
END $function$;

CREATE OR REPLACE FUNCTION public.census_month_partition(p_month date)
 RETURNS boolean
 LANGUAGE plpgsql
AS $function$
DECLARE
  m date := date_trunc('month', p_month)::date;
  lo timestamptz := (m::timestamp AT TIME ZONE 'UTC');
  hi timestamptz := ((m + interval '1 month')::timestamp AT TIME ZONE 'UTC');
  suffix text := to_char(m, '"p"YYYY_MM');
  t text;
BEGIN
  IF to_regclass('public.prompt_events_' || suffix) IS NOT NULL THEN
    RETURN false;
  END IF;
  -- standalone first, filled from DEFAULT, then attached: a partition cannot be created while
  -- DEFAULT holds rows of its range. Labels move first: deleting their events from DEFAULT would
  -- cascade to them.
  -- and no write lands in DEFAULT between the move and the attach's check of DEFAULT (reads go on).
  -- The parents, not only the DEFAULTs: a write routes its row when it opens the parent, and ATTACH
  -- does not wait for it, so a write routed to DEFAULT before the attach would then fail DEFAULT's
  -- new constraint (23514, and its job dropped as bad data). Writes wait here instead, and route
  -- afresh once this commits.
  LOCK TABLE prompt_events, prompt_labels IN SHARE ROW EXCLUSIVE MODE;
  FOREACH t IN ARRAY ARRAY['prompt_labels', 'prompt_events'] LOOP
    EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', t || '_' || suffix, t);
    EXECUTE format('WITH moved AS (DELETE FROM %I WHERE observed_hour >= %L AND observed_hour < %L RETURNING *)
      INSERT INTO %I SELECT * FROM moved', t || '_default', lo, hi, t || '_' || suffix);
  END LOOP;
  PERFORM census_label_key('prompt_labels_' || suffix, 'prompt_events_' || suffix);
  FOREACH t IN ARRAY ARRAY['prompt_events', 'prompt_labels'] LOOP
    EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)',
      t, t || '_' || suffix, lo, hi);
  END LOOP;
  RETURN true;
END $function$;

CREATE OR REPLACE FUNCTION public.census_ensure_partitions(p_ahead integer)
 RETURNS integer
 LANGUAGE plpgsql
AS $function$
DECLARE
  m date;
  made integer := 0;
BEGIN
  -- one maintainer at a time (every process runs this at start)
  PERFORM pg_advisory_xact_lock(hashtext('census_partitions'));
  FOR m IN
    SELECT g::date FROM generate_series(date_trunc('month', now() AT TIME ZONE 'UTC'),
      date_trunc('month', now() AT TIME ZONE 'UTC') + make_interval(months => p_ahead), interval '1 month') g
    UNION
    SELECT DISTINCT date_trunc('month', observed_hour AT TIME ZONE 'UTC')::date FROM prompt_events_default
    UNION
    SELECT DISTINCT date_trunc('month', observed_hour AT TIME ZONE 'UTC')::date FROM prompt_labels_default
    ORDER BY 1
  LOOP
    IF census_month_partition(m) THEN
      made := made + 1;
    END IF;
  END LOOP;
  RETURN made;
END $function$;

CREATE OR REPLACE FUNCTION public.census_month_partitions()
 RETURNS TABLE(month date, events_table text, labels_table text, events_estimate bigint)
 LANGUAGE sql
 STABLE
AS $function$
  SELECT to_date(substring(c.relname FROM 'p(\d{4}_\d{2})$'), 'YYYY_MM'), c.relname::text,
    replace(c.relname, 'prompt_events_', 'prompt_labels_'), greatest(c.reltuples, 0)::bigint
  FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
  WHERE i.inhparent = 'public.prompt_events'::regclass AND c.relname ~ '^prompt_events_p\d{4}_\d{2}$'
  ORDER BY 1
$function$;

CREATE OR REPLACE FUNCTION public.census_drop_month(p_month date)
 RETURNS boolean
 LANGUAGE plpgsql
AS $function$
DECLARE
  suffix text := to_char(date_trunc('month', p_month), '"p"YYYY_MM');
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('census_partitions'));
  IF to_regclass('public.prompt_events_' || suffix) IS NULL THEN
    RETURN false;
  END IF;
  -- labels first: the foreign key refuses to detach events that labels still reference
  EXECUTE format('ALTER TABLE prompt_labels DETACH PARTITION %I', 'prompt_labels_' || suffix);
  EXECUTE format('DROP TABLE %I', 'prompt_labels_' || suffix);
  EXECUTE format('ALTER TABLE prompt_events DETACH PARTITION %I', 'prompt_events_' || suffix);
  EXECUTE format('DROP TABLE %I', 'prompt_events_' || suffix);
  -- census_rebuild_rollups recomputes only what the kept events cover from here on
  INSERT INTO census_retention (id, kept_from) VALUES (true, (date_trunc('month', p_month) + interval '1 month')::date)
  ON CONFLICT (id) DO UPDATE SET kept_from = greatest(census_retention.kept_from, excluded.kept_from);
  RETURN true;
END $function$;

-- Planner statistics for the tables that grow under the writes. Plans are cached per connection
-- (a label's foreign-key check, the labels trigger's join): one made while this month's partition
-- was empty scans it whole, and keeps doing so until the table's statistics change. Measured on a
-- Postgres with autovacuum off (these machines): 16 events a statement cost 8 ms with 500 events
-- in the day and 75 ms with 35,000 (the key checks alone 40 ms), flat 3 ms once analyzed. The
-- refresher (src/stats/refresh.ts) calls this every interval: it analyzes each partition, rollup
-- and release table changed by more than 1,000 rows plus a fifth of its size since its last
-- analyze, so each is analyzed a logarithmic number of times as it grows. Where autovacuum runs,
-- it usually gets there first (50 rows plus a tenth) and this finds nothing to do.
CREATE OR REPLACE FUNCTION public.census_analyze_grown()
 RETURNS integer
 LANGUAGE plpgsql
AS $function$
DECLARE
  r record;
  n integer := 0;
BEGIN
  -- one analyzer at a time across processes: the others skip this round
  IF NOT pg_try_advisory_xact_lock(hashtext('census_analyze_grown')) THEN
    RETURN 0;
  END IF;
  FOR r IN
    SELECT s.relid::regclass AS rel
    FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
    WHERE s.schemaname = 'public'
      AND (s.relname ~ '^prompt_(events|labels)_(p\d{4}_\d{2}|default)$' OR s.relname ~ '^(rollup|release)_\w+_daily$')
      AND s.n_mod_since_analyze > 1000 + 0.2 * greatest(c.reltuples, 0)
    ORDER BY 1
  LOOP
    EXECUTE format('ANALYZE %s', r.rel);
    n := n + 1;
  END LOOP;
  RETURN n;
END $function$;
