import { randomBytes } from "node:crypto";
import { createApiKey } from "../src/auth/keys";
import { bootstrapDatabase } from "../src/db/bootstrap";
import { runMigrations } from "../src/db/migrate";
import { createDeps } from "../src/deps";
import { parseEnv } from "../src/env";
import { createLogger } from "../src/platform/logger";
import { benchAnalytics } from "./analytics";
import { benchBackfill, benchHotBackfill } from "./backfill";
import { benchClassify } from "./classify";
import { benchClient } from "./client";
import { benchCost } from "./cost";
import { benchIngest } from "./ingest";
import { benchQuota } from "./quota";
import { benchRedaction } from "./redaction";
import { benchStartup } from "./startup";
import { benchWorker } from "./worker";

// `npm run bench [-- --quick] [-- --only ingest|classify|worker|quota|cost|redaction|client|startup|backfill|analytics] [-- --hot]`
// (--hot: of backfill, only the hot-cache run): figures and ratios against baselines
// measured in the same run.
// Uses its own database (census_bench) and a random queue prefix; cleans up after itself.

const quick = process.argv.includes("--quick");
const only = process.argv.includes("--only") ? process.argv[process.argv.indexOf("--only") + 1] : undefined;
const wants = (section: string) => only === undefined || only === section;
const env = parseEnv({
  ...process.env,
  DATABASE_URL: process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/census_bench",
  QUEUE_PREFIX: `bench${randomBytes(4).toString("hex")}`,
  SAMPLE_RATE: "0.0025",
  GOOGLE_QPM: "1000000",
  LOG_LEVEL: "silent",
  CLASSIFIER: "emulator",
  // loading 1M-10M synthetic events is one COPY per million, triggers included: not an API query
  PG_STATEMENT_TIMEOUT_MS: "900000",
});
const log = createLogger("silent");

console.log(`# prompt-census bench (${quick ? "quick" : "full"}) on node ${process.version}`);
await runMigrations(env.DATABASE_URL, log);
const deps = await createDeps(env, log);
await bootstrapDatabase(deps.pool, { taxonomy: deps.taxonomy, kMinEvents: env.K_MIN_EVENTS });
try {
  const { key } = await createApiKey(deps.db, ["ingest"], "bench");
  if (wants("ingest")) await benchIngest(deps, key, quick ? 200 : 2000);
  await deps.queue.obliterate({ force: true });
  if (wants("classify")) await benchClassify(quick ? 500 : 5000);
  if (wants("worker")) await benchWorker(deps, quick ? 500 : 5000, quick ? 100_000 : 1_000_000);
  if (wants("quota")) await benchQuota(deps, quick ? 60 : 200);
  if (wants("cost")) await benchCost(deps, quick ? 200 : 1000);
  if (wants("redaction")) await benchRedaction(deps, key, quick ? 2000 : 20_000);
  if (wants("client")) await benchClient(quick ? 20_000 : 200_000);
  if (wants("startup")) await benchStartup(env, quick ? 3 : 7);
  if (wants("backfill")) {
    if (!process.argv.includes("--hot")) await benchBackfill(env, quick ? 100_000 : 1_000_000);
    // BENCH_HOT_RECORDS=1000000 for the 1M-record run (~6 minutes at 3,000 events/s)
    await benchHotBackfill(deps, Number(process.env.BENCH_HOT_RECORDS ?? (quick ? 30_000 : 120_000)));
    await deps.queue.obliterate({ force: true });
  }
  if (wants("analytics"))
    await benchAnalytics(
      deps.pool,
      deps.taxonomy,
      // BENCH_SIZES=1000000 for one size (the 10M load takes ~20 minutes on two shared cores)
      process.env.BENCH_SIZES?.split(",").map(Number) ?? (quick ? [100_000] : [1_000_000, 10_000_000]),
      env.K_MIN_EVENTS,
    );
} finally {
  await deps.queue.obliterate({ force: true }).catch(() => {});
  await deps.close();
}
