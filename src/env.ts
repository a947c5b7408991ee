import { z } from "zod";
import { parsePayloadKeys } from "./queue/sealed";
import { MAPPING_SCHEMES } from "./taxonomy/mapping";
import {
  classifierEngines,
  DEFAULT_SAMPLE_RATE_FLOOR,
  floorGrains,
  MIN_SAMPLE_RATE,
  textSources,
} from "./vocabulary";

// The one reader of process.env. Everything else receives an `Env` value, so tests can build one
// without touching the process and a typo in a variable name fails at start, not at 3 a.m.

const DEV_HMAC_SECRET = "prompt-census-development-secret-do-not-use-in-production";

export const DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/census";
export const DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";

const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86_400 } as const;
/** "604800", "7d", "12h", "30m", "0": a number of seconds. */
const duration = z
  .string()
  .regex(/^\d+(\.\d+)?[smhd]?$/, "a number of seconds, or with s, m, h or d (7d, 12h)")
  .transform((v) => {
    const unit = /[smhd]$/.test(v) ? (v.at(-1) as keyof typeof UNIT_SECONDS) : "s";
    return Math.round(Number.parseFloat(v) * UNIT_SECONDS[unit]);
  });

const rate = z.coerce.number().min(MIN_SAMPLE_RATE).lte(1);

const hostPort = z
  .string()
  .regex(/^[^:\s/]+:\d{1,5}$/, "must be host:port, e.g. 127.0.0.1:8085")
  .optional();

export const envSchema = z
  .object({
    NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
    PORT: z.coerce.number().int().min(0).max(65535).default(8080),
    // Default: loopback in development, every interface in production (a container's port).
    HOST: z.string().min(1).optional(),
    // The server's own limits (Node's defaults: 300 s per request, 60 s for headers, no cap).
    HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
    // Also how long a new connection may stay silent: routers send their request at once.
    HTTP_HEADERS_TIMEOUT_MS: z.coerce.number().int().positive().default(5000),
    // Above the 60 s idle timeout of common load balancers, so they never reuse a closed socket.
    HTTP_KEEPALIVE_TIMEOUT_MS: z.coerce.number().int().positive().default(65_000),
    // At the cap the longest-idle connection is closed for a new one (src/http/connections.ts).
    HTTP_MAX_CONNECTIONS: z.coerce.number().int().positive().default(512),
    PG_CONNECT_TIMEOUT_MS: z.coerce.number().int().positive().default(5000),
    PG_STATEMENT_TIMEOUT_MS: z.coerce.number().int().positive().default(15_000),
    KEY_CACHE_TTL_MS: z.coerce.number().int().min(0).default(30_000),
    // A static bearer token for Prometheus, besides keys with the `metrics` scope.
    METRICS_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
    // Split /metrics series by category and redaction kind: exact counts below the privacy floor.
    METRICS_FINE_LABELS: z.stringbool().default(false),
    // Unset means "the local default, or embedded services when nothing answers there"
    // (src/embedded/services.ts); set means "this one, and say so if it cannot be reached".
    DATABASE_URL: z.url().optional(),
    // A read replica for the stats and analytics reads (GET /v1/stats/*, `census sql`); writes,
    // migrations and the worker stay on DATABASE_URL. Unset: everything reads DATABASE_URL.
    DATABASE_READ_URL: z.url().optional(),
    REDIS_URL: z.url().optional(),
    // REDIS_URL names one node of a Redis Cluster; the others are discovered from it. The queue's
    // keys then need a hash tag: QUEUE_PREFIX defaults to {census}.
    REDIS_CLUSTER: z.stringbool().default(false),
    // Sentinels that name the master (host:port,host:port); REDIS_URL then gives only the
    // password, database and TLS (rediss://).
    REDIS_SENTINELS: z
      .string()
      .regex(/^[^:\s/,]+:\d{1,5}(,[^:\s/,]+:\d{1,5})*$/, "host:port,host:port")
      .optional(),
    REDIS_SENTINEL_NAME: z.string().min(1).default("mymaster"),
    // A PEM bundle to trust for rediss:// besides the system's CAs (a private or self-signed CA).
    REDIS_TLS_CA_FILE: z.string().min(1).optional(),
    // Start private Postgres and Redis even when the local defaults answer (tests, CI, demos).
    CENSUS_EMBEDDED: z.stringbool().default(false),
    // With NODE_ENV=production, start even on a Redis that can lose accepted prompts (AOF off, or
    // an eviction policy): the service refuses one otherwise (docs/reliability.md).
    ALLOW_VOLATILE_REDIS: z.stringbool().default(false),
    // Where embedded services keep their data and where other commands find them running.
    CENSUS_HOME: z.string().min(1).default(".census"),
    HMAC_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
    // Keys that seal job texts in Redis (queue/sealed.ts): the first seals, all open.
    // Unset: a key derived from HMAC_SECRET.
    PAYLOAD_KEY: z
      .string()
      .optional()
      .superRefine((v, ctx) => {
        try {
          parsePayloadKeys(v);
        } catch (err) {
          ctx.addIssue({ code: "custom", message: (err as Error).message });
        }
      }),
    GOOGLE_API_KEY: z.string().min(1).optional(),
    GOOGLE_CLOUD_PROJECT: z.string().min(1).optional(),
    GOOGLE_APPLICATION_CREDENTIALS: z.string().min(1).optional(),
    CLASSIFIER: z.enum(["auto", ...classifierEngines]).default("auto"),
    LANGUAGE_EMULATOR_HOST: hostPort,
    SAMPLE_RATE: rate.default(0.0025),
    // The lowest `sampleRate` an item may carry: each event weighs 1 / rate in every estimate.
    MIN_SAMPLE_RATE: rate.default(DEFAULT_SAMPLE_RATE_FLOOR),
    MAX_CHARS: z.coerce.number().int().positive().max(100_000).default(1000),
    // Personal data and secrets are replaced before the text is cut and queued (src/redaction);
    // off is the study's method exactly. README "Redaction".
    REDACT: z.enum(["on", "off"]).default("on"),
    // What a chat contributes: the whole prompt in order, system prompts included (the study's
    // rule), or its last user message; stored per event. README "How a prompt is handled".
    TEXT_FROM: z.enum(textSources).default("prompt"),
    CONFIDENCE_THRESHOLD: z.coerce.number().min(0).max(1).default(0.5),
    // Which mapping scheme tags events (config/mapping/<scheme>.json): the study's, or the
    // project's richer one. README "Categories".
    MAPPING: z.enum(MAPPING_SCHEMES).default("study-2025"),
    // An operator's model catalogue file, merged over config/models/catalogue.json (its entries
    // win): loaded at start and by `census catalogue reload`. README "Model catalogue".
    MODEL_CATALOGUE: z.string().min(1).optional(),
    GOOGLE_QPM: z.coerce.number().int().positive().default(600),
    K_MIN_EVENTS: z.coerce.number().int().min(1).default(10),
    // The period of a privacy release unit: a model's events of one day (the study's rule), week or
    // month, outcome and category. Coarser shows more of small traffic, in coarser periods.
    // README "Privacy floor"; `census floor` shows what each would release.
    FLOOR_GRAIN: z.enum(floorGrains).default("day"),
    // How long a Google answer is reused for the same text (classification/cache.ts); 0 turns the
    // cache off. Seconds, or a number with s, m, h or d.
    CLASSIFY_CACHE_TTL: duration.default(7 * 86_400),
    // Texts with fewer words are recorded too_short without a call. 0: Google decides, as in the
    // study (V2's minimum is not published; see README "Cost").
    MIN_WORDS: z.coerce.number().int().min(0).max(100).default(0),
    // For the usage estimate of GET /v1/stats/usage: Google's first paid tier for classification.
    GOOGLE_PRICE_PER_1K_UNITS: z.coerce.number().min(0).default(2),
    // Jobs in flight per worker process. A job mostly waits (Google, the batched write), so more
    // in flight means bigger write batches: the hot-cache backfill bench drained 1,405 events/s at
    // 16 and 3,033 at 64 on this 2-core machine. Google calls stay within GOOGLE_QPM either way.
    WORKER_CONCURRENCY: z.coerce.number().int().positive().max(256).default(64),
    // How often a worker refreshes the privacy floor's release units of the partitions written
    // since (stats/refresh.ts): answers lag writes by about this much. Writes no longer refresh
    // them in their own transaction, whose cost grew with the size of their day.
    REFRESH_INTERVAL_MS: z.coerce.number().int().min(100).max(600_000).default(2000),
    QUEUE_NAME: z
      .string()
      .regex(/^[\w-]+$/)
      .default("classify"),
    // A Redis Cluster needs a hash tag so all of a queue's keys share a slot (multi-key scripts:
    // BullMQ's, the Google limiter's hold): {census}, the default with REDIS_CLUSTER.
    QUEUE_PREFIX: z
      .string()
      .regex(/^(\{[\w-]+\}|[\w-]+)$/, "letters, digits, _ or -, optionally in braces: census or {census}")
      .optional(),
    RETRY_BASE_MS: z.coerce.number().int().positive().default(1000),
    RETRY_MAX_MS: z.coerce.number().int().positive().default(32_000),
    JOB_ATTEMPTS: z.coerce.number().int().positive().default(30),
    // Crash recovery (docs/reliability.md): a dead worker's jobs come back within about
    // WORKER_LOCK_MS + STALLED_INTERVAL_MS; a job in flight through MAX_STALLED_COUNT crashes is
    // set aside (kept) as the likely cause.
    WORKER_LOCK_MS: z.coerce.number().int().min(1000).default(10_000),
    STALLED_INTERVAL_MS: z.coerce.number().int().min(500).default(5000),
    MAX_STALLED_COUNT: z.coerce.number().int().min(1).default(10),
    SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
    MIGRATE_ON_START: z.stringbool().default(true),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  })
  .superRefine((e, ctx) => {
    if (e.NODE_ENV === "production" && !e.HMAC_SECRET) {
      ctx.addIssue({
        code: "custom",
        path: ["HMAC_SECRET"],
        message: "is required in production: it keys sampling and event ids",
      });
    }
    if (e.REDIS_CLUSTER && e.QUEUE_PREFIX && !e.QUEUE_PREFIX.startsWith("{")) {
      ctx.addIssue({
        code: "custom",
        path: ["QUEUE_PREFIX"],
        message: `needs a hash tag with REDIS_CLUSTER, so a queue's keys share one slot: {${e.QUEUE_PREFIX}}`,
      });
    }
    if (e.REDIS_CLUSTER && !e.REDIS_URL) {
      ctx.addIssue({
        code: "custom",
        path: ["REDIS_URL"],
        message: "must name a node of the cluster (REDIS_CLUSTER)",
      });
    }
    if (e.REDIS_CLUSTER && e.REDIS_SENTINELS) {
      ctx.addIssue({
        code: "custom",
        path: ["REDIS_SENTINELS"],
        message: "cannot be used with REDIS_CLUSTER",
      });
    }
  })
  .transform((e) => ({
    ...e,
    DATABASE_URL: e.DATABASE_URL ?? DEFAULT_DATABASE_URL,
    REDIS_URL: e.REDIS_URL ?? DEFAULT_REDIS_URL,
    QUEUE_PREFIX: e.QUEUE_PREFIX ?? (e.REDIS_CLUSTER ? "{census}" : "census"),
    /** Which of the two the operator set: those are never replaced by embedded services. */
    configured: {
      postgres: e.DATABASE_URL !== undefined,
      redis: e.REDIS_URL !== undefined || e.REDIS_CLUSTER || e.REDIS_SENTINELS !== undefined,
    },
    HOST: e.HOST ?? (e.NODE_ENV === "production" ? "0.0.0.0" : "127.0.0.1"),
    HMAC_SECRET: e.HMAC_SECRET ?? DEV_HMAC_SECRET,
    usingDevSecret: !e.HMAC_SECRET,
  }));

export type Env = z.infer<typeof envSchema>;

/** Parse an environment-shaped record; throws a readable error listing every bad variable. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  // Empty strings mean "unset" to operators (`FOO= npm start`), so treat them that way.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ""));
  const result = envSchema.safeParse(cleaned);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join(".") || "(env)"}: ${i.message}`);
    throw new Error(`Invalid environment:\n${lines.join("\n")}`);
  }
  return result.data;
}

export function loadEnv(): Env {
  return parseEnv(process.env);
}
