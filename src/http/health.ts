import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { Redis } from "ioredis";
import type pg from "pg";
import type { Registry } from "prom-client";
import type { KeyVerifier } from "../auth/keys";
import { requireScope } from "../auth/middleware";
import type { RedisDataLoss } from "../platform/redis-marker";
import type { AppEnv } from "./context";
import { problemResponses } from "./openapi";

const ok = z.object({ status: z.literal("ok") });
const ready = z.object({
  // degraded: both answer and the service serves, but this process saw Redis lose its data
  status: z.enum(["ok", "degraded", "unavailable"]),
  checks: z.object({ postgres: z.boolean(), redis: z.boolean() }),
  redisDataLost: z
    .object({
      count: z.number().int().positive(),
      lastAt: z.iso.datetime(),
      detail: z.string(),
    })
    .optional()
    .openapi({
      description:
        "Present once this process found Redis without its marker (REDIS_DATA_LOST, census_redis_data_lost_total): jobs Redis held were lost. Stays until the process restarts.",
    }),
});

const healthz = createRoute({
  method: "get",
  path: "/healthz",
  operationId: "health",
  tags: ["ops"],
  summary: "The process is up",
  security: [],
  responses: {
    200: { description: "Up", content: { "application/json": { schema: ok } } },
    ...problemResponses("4XX"),
  },
});

const readyz = createRoute({
  method: "get",
  path: "/readyz",
  operationId: "readiness",
  tags: ["ops"],
  security: [],
  summary: "Postgres and Redis answer (200 also when Redis lost its data: still serving, said in the body)",
  responses: {
    200: { description: "Ready", content: { "application/json": { schema: ready } } },
    503: { description: "A dependency does not answer", content: { "application/json": { schema: ready } } },
    ...problemResponses("4XX"),
  },
});

async function within<T>(ms: number, p: Promise<T>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("timeout")), ms);
  });
  try {
    await Promise.race([p, timeout]);
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

export function healthRoutes(deps: {
  pool: pg.Pool;
  redis: Redis;
  registry: Registry;
  verifyKey: KeyVerifier;
  metricsToken?: string | undefined;
  /** What this process noticed of Redis losing its data (platform/redis-marker.ts). */
  redisDataLoss?: () => RedisDataLoss | undefined;
}) {
  const app = new OpenAPIHono<AppEnv>();
  app.openapi(healthz, (c) => c.json({ status: "ok" as const }, 200));
  app.openapi(readyz, async (c) => {
    const [postgres, redis] = await Promise.all([
      within(2000, deps.pool.query("SELECT 1")),
      within(2000, deps.redis.ping()),
    ]);
    const good = postgres && redis;
    // A loss does not make the process unready: it accepts prompts again at once, and taking it
    // out of rotation would refuse the routers' resends too. The body and the metric tell it.
    const loss = deps.redisDataLoss?.();
    const status = !good ? "unavailable" : loss ? "degraded" : "ok";
    return c.json(
      {
        status,
        checks: { postgres, redis },
        ...(loss
          ? {
              redisDataLost: {
                ...loss,
                detail:
                  "Redis lost its data since this process started: prompts accepted and still queued then were lost (see the REDIS_DATA_LOST log line and docs/reliability.md).",
              },
            }
          : {}),
      },
      good ? 200 : 503,
    );
  });
  // Prometheus text: aggregates only, no ids or text, but exact counts below the privacy floor
  // (a category's events in an hour), so it takes a key with the `metrics` scope or METRICS_TOKEN.
  app.get("/metrics", requireScope(deps.verifyKey, "metrics", { token: deps.metricsToken }), async (c) =>
    c.body(await deps.registry.metrics(), 200, { "content-type": deps.registry.contentType }),
  );
  return app;
}
