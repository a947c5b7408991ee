import { readFileSync } from "node:fs";
import { Command, InvalidArgumentError, Option } from "commander";
import { type Scope, scopes } from "./auth/keys";
import { runMigrations } from "./db/migrate";
import { loadEnv } from "./env";
import { createLogger } from "./platform/logger";
import { fromRoot } from "./platform/paths";
import { MAPPING_SCHEMES, type MappingScheme } from "./taxonomy/mapping";
import { engines, type Interval, intervals } from "./vocabulary";

// `census <command>`: one image, several roles. Commands import their modules lazily so
// `census --help` and `census emulator` start fast and need no database.

const { version } = JSON.parse(readFileSync(fromRoot("package.json"), "utf8")) as { version: string };

const program = new Command("census")
  .description("prompt-census: what people use LLMs for, from anonymous tags")
  .version(version, "-V, --version", "print the version")
  .showHelpAfterError();

const env = () => loadEnv();

/** The environment with the URLs of the services this command should use: set ones, a running
 * `census start`'s embedded ones, or the local defaults (src/embedded/services.ts). */
async function servicesEnv() {
  const { provideServices } = await import("./embedded/services");
  const e = env();
  return (await provideServices(e, createLogger("warn"), { mode: "find" })).env;
}

// One image, several roles.
const roles = [
  [
    "start",
    "run the HTTP API and the classification worker in one process (migrates first)",
    { api: true, worker: true },
  ],
  ["api", "run only the HTTP API", { api: true, worker: false }],
  ["worker", "run only the classification worker", { api: false, worker: true }],
] as const;

for (const [name, description, which] of roles) {
  program
    .command(name)
    .description(description)
    .option(
      "--embedded",
      "start private Postgres and Redis (under CENSUS_HOME) even when the local defaults answer; as CENSUS_EMBEDDED=1",
    )
    .action(async (o: { embedded?: boolean }) => {
      const { run } = await import("./runtime");
      await run(env(), which, undefined, { embedded: Boolean(o.embedded) });
    });
}

program
  .command("migrate")
  .description("create the database if missing and apply the SQL migrations in migrations/")
  .action(async () => {
    const e = await servicesEnv();
    await runMigrations(e.DATABASE_URL, createLogger(e.LOG_LEVEL));
  });

const number = (min: number, max: number) => (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || n > max)
    throw new InvalidArgumentError(`must be a number in [${min}, ${max}]`);
  return n;
};

program
  .command("emulator")
  .description("run a local HTTP emulator of Google's documents:classifyText (v1 and v2)")
  .option("--port <n>", "port on 127.0.0.1", number(0, 65535), 8085)
  .option("--latency-ms <n>", "added latency per request", number(0, 60_000), 0)
  .option("--error-rate-429 <p>", "probability of an injected 429 RESOURCE_EXHAUSTED", number(0, 1), 0)
  .option("--error-rate-503 <p>", "probability of an injected 503 UNAVAILABLE", number(0, 1), 0)
  .option("--min-words <n>", "fewer words than this answer 'too few tokens'", number(0, 1000), 3)
  .action(
    async (o: {
      port: number;
      latencyMs: number;
      errorRate429: number;
      errorRate503: number;
      minWords: number;
    }) => {
      const { startEmulator } = await import("./emulator/server");
      const running = await startEmulator(o.port, o);
      console.log(
        `classifyText emulator on http://${running.host}  (export LANGUAGE_EMULATOR_HOST=${running.host})`,
      );
    },
  );

const mappingOption = () =>
  new Option("--mapping <scheme>", "mapping scheme (default: MAPPING, else study-2025)").choices(
    MAPPING_SCHEMES,
  );

program
  .command("taxonomy")
  .description("print the category table (markdown) generated from config/mapping/<scheme>.json")
  .addOption(mappingOption())
  .action(async (opts: { mapping?: MappingScheme }) => {
    const { loadTaxonomy } = await import("./taxonomy/load");
    const { renderCategoryTable } = await import("./taxonomy/table");
    console.log(renderCategoryTable(loadTaxonomy(opts.mapping ?? env().MAPPING)));
  });

program
  .command("remap")
  .description(
    "re-derive stored tags and categories under a mapping scheme, MAPPING's by default (no Google calls; idempotent)",
  )
  .addOption(mappingOption())
  .action(async (opts: { mapping?: MappingScheme }) => {
    const e = await servicesEnv();
    const log = createLogger(e.LOG_LEVEL);
    await runMigrations(e.DATABASE_URL, log);
    const { createPool } = await import("./db/client");
    const { loadTaxonomy } = await import("./taxonomy/load");
    const { registerTaxonomy } = await import("./db/bootstrap");
    const { remap } = await import("./taxonomy/remap");
    const pool = createPool(e.DATABASE_URL, { max: 2 });
    try {
      const taxonomy = loadTaxonomy(opts.mapping ?? e.MAPPING);
      await registerTaxonomy(pool, taxonomy);
      const result = await remap(pool, taxonomy);
      console.log(`mapping ${result.version}: ${result.events} events and ${result.labels} labels updated`);
    } finally {
      await pool.end();
    }
  });

const isoDay = (v: string) => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v) || Number.isNaN(Date.parse(v)))
    throw new InvalidArgumentError("must be a date, YYYY-MM-DD");
  return v;
};

program
  .command("floor")
  .description(
    "for operators: how much of the sample the privacy floor releases per period, and how (model units, author pools, category pools); never per cell",
  )
  .option("--from <day>", "first day (UTC), inclusive (default: 26 weeks before --to)", isoDay)
  .option("--to <day>", "last day (UTC), exclusive (default: tomorrow)", isoDay)
  .addOption(new Option("--interval <interval>", "period of each row").choices(intervals).default("month"))
  .addOption(
    new Option(
      "--engine <engine>",
      "whose events (default: google if the window has any, else the engine it has)",
    ).choices(engines),
  )
  .option("--json", "print the rows as JSON lines")
  .action(
    async (o: {
      from?: string;
      to?: string;
      interval: Interval;
      engine?: (typeof engines)[number];
      json?: boolean;
    }) => {
      const e = await servicesEnv();
      const { createPool } = await import("./db/client");
      const { floorReport, engineInWindow } = await import("./stats/floor");
      const { resolveRange } = await import("./stats/schema");
      const range = resolveRange(o);
      if (!range.valid) throw new InvalidArgumentError("--from must be before --to, at most ~5 years apart");
      const pool = createPool(e.DATABASE_URL, { max: 1 });
      try {
        const engine = o.engine ?? (await engineInWindow(pool, range.from, range.to));
        const rows = await floorReport(pool, { ...o, ...range, engine });
        if (o.json) console.log(rows.map((r) => JSON.stringify(r)).join("\n"));
        else {
          console.log(`engine ${engine}, ${range.from} to ${range.to} (exclusive), by ${o.interval}`);
          const { formatRows } = await import("./platform/table");
          console.log(formatRows(rows.map((r) => ({ ...r, released: `${(r.released * 100).toFixed(1)}%` }))));
        }
      } finally {
        await pool.end();
      }
    },
  );

const isoTime = (v: string) => {
  const d = new Date(v);
  if (Number.isNaN(d.getTime()))
    throw new InvalidArgumentError("must be an ISO date or time, e.g. 2025-05-01");
  return d;
};
const positive = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError("must be a positive integer");
  return n;
};

program
  .command("backfill [file]")
  .description(
    "send historical prompt logs (NDJSON, JSON array or CSV; plain or gzip; a file or - for stdin) through the live path",
  )
  .addOption(
    new Option("--format <format>", "input format")
      .choices(["auto", "ndjson", "json", "csv", "openai-chat"])
      .default("auto"),
  )
  .option("--id-field <path>", "request id field (dotted paths reach into objects) (default: requestId)")
  .option("--prompt-field <path>", "prompt text field (default: prompt)")
  .option("--messages-field <path>", "OpenAI-style messages field (default: messages)")
  .option("--model-field <path>", "model field (default: model)")
  .option("--created-at-field <path>", "request time field (ISO, or Unix seconds/ms) (default: createdAt)")
  .option("--prompt-tokens-field <path>", "prompt token count field (default: promptTokens)")
  .option("--completion-tokens-field <path>", "completion token count field (default: completionTokens)")
  .option("--cost-field <path>", "cost (USD) field (default: costUsd)")
  .option("--since <time>", "only requests at or after this time", isoTime)
  .option("--until <time>", "only requests before this time", isoTime)
  .option("--sample-rate <rate>", "sampling rate instead of SAMPLE_RATE", number(0.000001, 1))
  .option("--dry-run", "count what would be sent; queue nothing, record no run")
  .option(
    "--resume <run>",
    "continue a run from its checkpoint (the file may be omitted: its path was recorded); at the end, counts sampled records whose events are missing",
  )
  .option(
    "--verify <run>",
    "read a run's input again and re-queue every sampled record whose event is missing (after Redis lost data); the file may be omitted, stdin must be piped again with -",
  )
  .option("--chunk <n>", "sampled prompts per enqueue", positive, 500)
  .option("--max-waiting <n>", "pause while the queue holds more waiting jobs than this", positive, 20_000)
  .option("--max-line-bytes <n>", "longer records are bad lines", positive, 1024 * 1024)
  .action(async (file: string | undefined, o: Record<string, unknown>) => {
    const { runBackfillCommand } = await import("./backfill/command");
    process.exitCode = await runBackfillCommand(await servicesEnv(), file, o);
  });

program
  .command("eval <file>")
  .description(
    "score the live path on labelled texts (JSONL or CSV: text, expected, id?): agreement, precision and recall, confusion matrix, coverage; stores no event",
  )
  .addOption(mappingOption())
  .option("--json", "print the report as JSON")
  .option("--save <name>", "store the confusion matrix (counts only) as a calibration for ?adjust=<name>")
  .action(async (file: string, raw: unknown) => {
    const { z } = await import("zod");
    const { calibrationName } = await import("./eval/calibrations");
    const parsed = z
      .object({
        mapping: z.enum(MAPPING_SCHEMES).optional(),
        json: z.boolean().optional(),
        save: calibrationName.optional(),
      })
      .safeParse(raw);
    if (!parsed.success) throw new InvalidArgumentError(z.prettifyError(parsed.error));
    const o = parsed.data;
    const { runEvalCommand } = await import("./eval/command");
    await runEvalCommand(await servicesEnv(), file, o);
  });

const keys = program.command("keys").description("manage API keys (only their hashes are stored)");

keys
  .command("create")
  .description("create a key and print it once")
  .addOption(
    new Option("--scope <scope...>", "scopes: ingest, read, admin").choices(scopes).makeOptionMandatory(),
  )
  .option("--name <name>", "a label for operators")
  .option("--quiet", "print only the key")
  .action(async (o: { scope: Scope[]; name?: string; quiet?: boolean }) => {
    await withDb(async (db) => {
      const { createApiKey } = await import("./auth/keys");
      const created = await createApiKey(db, o.scope, o.name);
      if (o.quiet) console.log(created.key);
      else
        console.log(
          `id:     ${created.id}\nscopes: ${created.scopes.join(",")}\nkey:    ${created.key}\n(shown once: store it now)`,
        );
    });
  });

keys
  .command("list")
  .description("list keys (ids, names, scopes; never the keys)")
  .action(async () => {
    await withDb(async (db) => {
      const { listApiKeys } = await import("./auth/keys");
      for (const k of await listApiKeys(db)) {
        console.log([k.id, k.scopes.join(","), k.name ?? "-", k.revokedAt ? "revoked" : "active"].join("\t"));
      }
    });
  });

keys
  .command("revoke <id>")
  .description("revoke a key by id (running APIs refuse it within their KEY_CACHE_TTL_MS)")
  .action(async (id: string) => {
    await withDb(async (db) => {
      const { revokeApiKey } = await import("./auth/keys");
      if (await revokeApiKey(db, id)) {
        console.log(`revoked ${id}: running APIs refuse it within KEY_CACHE_TTL_MS (30 s by default)`);
      } else {
        console.error(`no active key with id ${id}`);
        process.exitCode = 1;
      }
    });
  });

const queue = program
  .command("queue")
  .description("inspect the classify queue; re-queue or purge jobs that failed for good");

queue
  .command("status")
  .description("job counts by state (failed: kept for a retry, text included)")
  .action(async () => {
    await withQueue(async (q) => {
      const { queueCounts } = await import("./queue/failed");
      for (const [state, n] of Object.entries(await queueCounts(q))) console.log(`${state}\t${n}`);
    });
  });

queue
  .command("retry")
  .description("re-queue every failed job with fresh attempts (after fixing what made them fail)")
  .action(async () => {
    await withQueue(async (q) => {
      const { retryFailed } = await import("./queue/failed");
      console.log(`${await retryFailed(q)} failed jobs re-queued`);
    });
  });

queue
  .command("purge")
  .description("delete every failed job and its text (they will never be classified)")
  .action(async () => {
    await withQueue(async (q, redis) => {
      const { purgeFailed } = await import("./queue/failed");
      console.log(`${await purgeFailed(q, redis, createLogger("warn", process.stderr))} failed jobs deleted`);
    });
  });

async function withQueue(
  fn: (q: import("./queue/jobs").ClassifyQueue, redis: import("ioredis").Redis) => Promise<void>,
) {
  const e = await servicesEnv();
  const { createProducerConnection } = await import("./platform/redis");
  const { createClassifyQueue } = await import("./queue/jobs");
  const redis = createProducerConnection(e.REDIS_URL);
  const q = createClassifyQueue(redis, e.QUEUE_NAME, e.QUEUE_PREFIX);
  try {
    await q.waitUntilReady();
    await fn(q, redis);
  } finally {
    await q.close();
    redis.disconnect();
  }
}

program
  .command("sql <query>")
  .description("run one SQL statement on the service's database and print the rows (no psql needed)")
  .option("--json", "print the rows as JSON lines")
  .action(async (query: string, o: { json?: boolean }) => {
    const e = await servicesEnv();
    const { default: pg } = await import("pg");
    const client = new pg.Client({ connectionString: e.DATABASE_URL });
    await client.connect();
    try {
      // rows by position: two columns of one name are both kept
      const result = await client.query<unknown[]>({ text: query, rowMode: "array" });
      const cols = (result.fields ?? []).map((f) => f.name);
      const { formatTable, uniqueNames } = await import("./platform/table");
      if (o.json) {
        const names = uniqueNames(cols);
        console.log(
          result.rows
            .map((r) => JSON.stringify(Object.fromEntries(names.map((n, i) => [n, r[i]]))))
            .join("\n"),
        );
      } else console.log(formatTable(cols, result.rows));
    } finally {
      await client.end();
    }
  });

program
  .command("url <service>")
  .description(
    'print the URL of the database (postgres) or queue (redis) in use, e.g. psql "$(npx census url postgres)"',
  )
  .action(async (service: string) => {
    if (service !== "postgres" && service !== "redis") throw new InvalidArgumentError("postgres or redis");
    const e = await servicesEnv();
    console.log(service === "postgres" ? e.DATABASE_URL : e.REDIS_URL);
  });

async function withDb(fn: (db: import("./db/client").Db) => Promise<void>) {
  const e = await servicesEnv();
  const log = createLogger("warn");
  await runMigrations(e.DATABASE_URL, log);
  const { createDb, createPool } = await import("./db/client");
  const pool = createPool(e.DATABASE_URL, { max: 1 });
  try {
    await fn(createDb(pool));
  } finally {
    await pool.end();
  }
}

program.parseAsync().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
