import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { Redis } from "ioredis";
import type pg from "pg";
import type { Registry } from "prom-client";
import type { KeyVerifier } from "../auth/keys";
import { requireScope } from "../auth/middleware";
import type { AppEnv } from "./context";

const ok = z.object({ status: z.literal("ok") });
const ready = z.object({
  status: z.enum(["ok", "unavailable"]),
  checks: z.object({ postgres: z.boolean(), redis: z.boolean() }),
});

const healthz = createRoute({
  method: "get",
  path: "/healthz",
  tags: ["ops"],
  summary: "The process is up",
  responses: { 200: { description: "Up", content: { "application/json": { schema: ok } } } },
});

const readyz = createRoute({
  method: "get",
  path: "/readyz",
  tags: ["ops"],
  summary: "Postgres and Redis answer",
  responses: {
    200: { description: "Ready", content: { "application/json": { schema: ready } } },
    503: { description: "A dependency does not answer", content: { "application/json": { schema: ready } } },
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
}) {
  const app = new OpenAPIHono<AppEnv>();
  app.openapi(healthz, (c) => c.json({ status: "ok" as const }, 200));
  app.openapi(readyz, async (c) => {
    const [postgres, redis] = await Promise.all([
      within(2000, deps.pool.query("SELECT 1")),
      within(2000, deps.redis.ping()),
    ]);
    const good = postgres && redis;
    return c.json(
      { status: good ? ("ok" as const) : ("unavailable" as const), checks: { postgres, redis } },
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
