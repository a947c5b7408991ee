import { randomBytes } from "node:crypto";
import { Writable } from "node:stream";
import { createApp } from "../../src/app";
import { createApiKey, type Scope } from "../../src/auth/keys";
import type { Classifier } from "../../src/classification/classifier";
import { createGoogleClassifier } from "../../src/classification/google";
import { bootstrapDatabase } from "../../src/db/bootstrap";
import { createDeps } from "../../src/deps";
import { parseEnv } from "../../src/env";
import { eventIdFor } from "../../src/ingest/sampling";
import { createLogger } from "../../src/platform/logger";
import { startWorker } from "../../src/runtime";
import { type ProgressOptions, waitForProgress } from "./progress";
import { TEST_DATABASE_URL, TEST_REDIS_URL } from "./urls";

export const TEST_SECRET = "test-secret-0123456789abcdef-0123456789";

/** Every log line the stack writes, for assertions (and the privacy canary). */
export class LogSink extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void) {
    this.lines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
    done();
  }
  text() {
    return this.lines.join("\n");
  }
}

export interface StackOptions {
  env?: Record<string, string>;
  worker?: boolean;
  classifier?: Classifier;
  /** Write the mapping version and settings first (default); off for a stack whose Postgres is down. */
  bootstrap?: boolean;
}

/**
 * The real service (Hono app, BullMQ worker, Postgres, Redis) wired with a random queue prefix,
 * Google's real client in REST mode (msw answers), and logs captured in memory.
 */
export async function createStack(opts: StackOptions = {}) {
  const logs = new LogSink();
  const env = parseEnv({
    NODE_ENV: "test",
    DATABASE_URL: TEST_DATABASE_URL,
    REDIS_URL: TEST_REDIS_URL,
    HMAC_SECRET: TEST_SECRET,
    SAMPLE_RATE: "1",
    QUEUE_PREFIX: `t${randomBytes(5).toString("hex")}`,
    RETRY_BASE_MS: "10",
    RETRY_MAX_MS: "40",
    WORKER_CONCURRENCY: "4",
    GOOGLE_QPM: "60000",
    LOG_LEVEL: "debug",
    // Tests count Google's calls for texts others send too; the cache's tests turn it on.
    CLASSIFY_CACHE_TTL: "0",
    ...opts.env,
  });
  const log = createLogger(env.LOG_LEVEL, logs);
  const classifier =
    opts.classifier ?? createGoogleClassifier({ apiKey: "test-key", projectId: "test-project" });
  const deps = await createDeps(env, log, { classifier });
  if (opts.bootstrap !== false) {
    await bootstrapDatabase(deps.pool, {
      taxonomy: deps.taxonomy,
      kMinEvents: env.K_MIN_EVENTS,
      floorGrain: env.FLOOR_GRAIN,
    });
  }
  const app = createApp(deps);
  let worker = opts.worker === false ? undefined : await startWorker(deps);

  const stack = {
    env,
    deps,
    app,
    logs,
    get worker() {
      return worker;
    },
    async startWorker() {
      worker ??= await startWorker(deps);
      return worker;
    },
    async key(...scopes: Scope[]) {
      return (await createApiKey(deps.db, scopes.length ? scopes : ["ingest"])).key;
    },
    post(body: unknown, key: string, headers: Record<string, string> = {}) {
      return app.request("/v1/prompts", {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json", ...headers },
        body: typeof body === "string" ? body : JSON.stringify(body),
      });
    },
    /** The stored event (and labels) for a router request id, or undefined. */
    async event(requestId: string) {
      const id = eventIdFor(TEST_SECRET, requestId);
      const { rows } = await deps.pool.query("SELECT * FROM prompt_events WHERE id = $1", [id]);
      if (rows.length === 0) return undefined;
      const labels = await deps.pool.query(
        "SELECT path, confidence, tag, category FROM prompt_labels WHERE event_id = $1 ORDER BY confidence DESC",
        [id],
      );
      return { ...rows[0], labels: labels.rows } as Record<string, unknown> & {
        labels: Record<string, unknown>[];
      };
    },
    /** The job counts a drain moves: its measure of progress. */
    async queued() {
      const c = await deps.queue.getJobCounts("wait", "active", "delayed", "prioritized", "paused");
      return { ...c, left: Object.values(c).reduce((a, b) => a + b, 0) };
    },
    /** The stored event for a router request id, once the worker stored it; waits while the queue moves. */
    async waitForEvent(requestId: string, o: ProgressOptions = {}) {
      let found: Awaited<ReturnType<typeof stack.event>>;
      await waitForProgress(
        async () => {
          found = await stack.event(requestId);
          return { found: found !== undefined, queued: await stack.queued() };
        },
        (m) => m.found,
        { what: `the event for ${requestId}`, ...o },
      );
      return found as NonNullable<typeof found>;
    },
    /** Resolves when the queue has nothing waiting, delayed or active; fails if it stops moving. */
    async drained(o: ProgressOptions = {}) {
      await waitForProgress(stack.queued, (c) => c.left === 0, { what: "the queue draining", ...o });
    },
    async close() {
      await worker?.close();
      await deps.queue.obliterate({ force: true }).catch(() => {});
      // obliterate leaves the queue's meta hash behind; a test prefix should leave nothing
      const leftovers = await deps.redis.keys(`${env.QUEUE_PREFIX}:*`).catch(() => []);
      if (leftovers.length > 0) await deps.redis.del(...leftovers).catch(() => {});
      await deps.close();
    },
  };
  return stack;
}

export type Stack = Awaited<ReturnType<typeof createStack>>;

/** A stack for one test, closed in `finally` so a failing test does not leave a worker behind. */
export async function withStack<T>(opts: StackOptions, fn: (stack: Stack) => Promise<T>): Promise<T> {
  const stack = await createStack(opts);
  try {
    return await fn(stack);
  } finally {
    await stack.close().catch(() => {});
  }
}

/**
 * Polls for one state change that has no measure of progress (a flag, a log line, a status). The
 * deadline is generous for a loaded 2-core machine; a wait for work to get done (a drain, a count,
 * a start-up) watches its progress instead (progress.ts).
 */
export async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs = 60_000, everyMs = 25) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

let counter = 0;
/** A request id no other test uses. */
export const uniqueId = (label = "req") =>
  `${label}-${Date.now()}-${process.pid}-${counter++}-${randomBytes(3).toString("hex")}`;

/** A response body for assertions: the assertions are the type check. */
// biome-ignore lint/suspicious/noExplicitAny: test bodies are checked by the expectations that follow
export const json = (res: Response): Promise<any> => res.json();
