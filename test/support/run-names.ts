// Database names of one test run. Each run makes its own (the base from TEST_DATABASE_URL, a UTC
// time stamp and a random part), so no run ever drops a database that another run, or anyone
// else, is using on a shared server. Names stay within Postgres's 63 characters and need no quoting.

const MAX_BASE = 24;
const MAX_LABEL = 8;
const STAMP = /^\d{14}$/;

const clean = (s: string, max: number) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, "_")
    .slice(0, max);

/** `<base>_<yyyymmddhhmmss>_<4 hex>`: this run's database. */
export function runDatabaseName(base: string, now: Date, random: string): string {
  const stamp = now.toISOString().replace(/\D/g, "").slice(0, 14);
  return `${clean(base, MAX_BASE) || "census_test"}_${stamp}_${clean(random, 4)}`;
}

/** `<run>_<label>_<6 hex>`: a database of the run's own for one test (a fresh-install test, a remap). */
export function extraDatabaseName(run: string, label: string, random: string): string {
  return `${run}_${clean(label, MAX_LABEL)}_${clean(random, 6)}`;
}

/** When the run that made `name` (or one of its extra databases) started, if `name` is one of `base`'s. */
export function runStarted(name: string, base: string): Date | undefined {
  const prefix = `${clean(base, MAX_BASE) || "census_test"}_`;
  if (!name.startsWith(prefix)) return undefined;
  const [stamp, random] = name.slice(prefix.length).split("_");
  if (!stamp || !STAMP.test(stamp) || !random || !/^[0-9a-f]{4}$/.test(random)) return undefined;
  const iso = `${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6, 8)}T${stamp.slice(8, 10)}:${stamp.slice(10, 12)}:${stamp.slice(12, 14)}Z`;
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? undefined : at;
}

/** Another run's leftover (killed before its teardown): no run of the suite lasts a day. */
export function isAbandoned(name: string, base: string, now: Date): boolean {
  const started = runStarted(name, base);
  return started !== undefined && now.getTime() - started.getTime() > 24 * 3600_000;
}
