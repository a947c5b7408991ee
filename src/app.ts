import { randomUUID } from "node:crypto";
import { OpenAPIHono } from "@hono/zod-openapi";
import { adminRoutes } from "./admin/routes";
import { dashboardRoutes } from "./dashboard/routes";
import type { Deps } from "./deps";
import type { AppEnv } from "./http/context";
import { docsRoutes } from "./http/docs";
import { healthRoutes } from "./http/health";
import { allowedMethods } from "./http/methods";
import { BASE_HEADERS } from "./http/security";
import { ingestRoutes } from "./ingest/routes";
import { otlpRoutes } from "./otlp/routes";
import { AppError } from "./platform/errors";
import type { Logger } from "./platform/logger";
import { renderProblem } from "./platform/problem";
import { statsRoutes } from "./stats/routes";

// No licence is chosen for the project yet: LicenseRef- is SPDX's form for one not on its list.
// (A variable: the OpenAPI 3.1 `identifier` is missing from the library's LicenseObject type.)
const LICENSE = { name: "Proprietary", identifier: "LicenseRef-Proprietary" };

/**
 * The HTTP app. `ops` is what a worker-only process serves on PORT: health, readiness and its
 * metrics, so orchestrators can check it and Prometheus can scrape it.
 */
export function createApp(deps: Deps, surface: "api" | "ops" = "api") {
  const log = deps.log.child({ module: "http" });
  const app = new OpenAPIHono<AppEnv>();

  // One summary line per request: method, route, status, duration and counts. Never a body,
  // a header value, a query string (could carry a key) or the client's address.
  app.use("*", async (c, next) => {
    const requestId = randomUUID();
    c.set("requestId", requestId);
    const started = performance.now();
    // On a Node server, set on the Node response before the handler runs: Node merges them into
    // the head the adapter writes, and the handler's own headers win. Reading c.res.headers
    // instead turned the adapter's plain header record into a Headers object and back on every
    // request (~8 us of an ingest request).
    const setAll = (set: (name: string, value: string) => unknown) => {
      set("x-request-id", requestId);
      for (const [name, value] of Object.entries(BASE_HEADERS)) set(name, value);
    };
    const outgoing = c.env?.outgoing;
    if (outgoing) setAll((name, value) => outgoing.setHeader(name, value));
    await next();
    // under app.request(): on the finished response's headers, as hono's secureHeaders does
    // (c.header() after next() rebuilds the response, a web stream and all, on every call)
    if (!outgoing) setAll((name, value) => c.res.headers.set(name, value));
    const code = c.var.problemCode;
    if (code) deps.metrics.httpProblems.inc({ route: c.req.routePath, code, status: String(c.res.status) });
    if (c.req.path === "/healthz" || c.req.path === "/metrics") return;
    log.info(
      {
        reqId: requestId,
        method: c.req.method,
        path: c.req.routePath,
        status: c.res.status,
        ms: Math.round(performance.now() - started),
        ...(code ? { code } : {}),
        ...c.var.logFields,
      },
      "request",
    );
  });

  app.route(
    "/",
    healthRoutes({
      pool: deps.pool,
      redis: deps.redis,
      registry: deps.metrics.registry,
      verifyKey: deps.verifyKey,
      metricsToken: deps.env.METRICS_TOKEN,
      redisDataLoss: () => deps.redisMarker.loss(),
    }),
  );
  if (surface === "ops") return withErrorHandlers(app, log);
  app.route(
    "/",
    ingestRoutes({ ...deps.ingest, verifyKey: deps.verifyKey, minSampleRate: deps.env.MIN_SAMPLE_RATE }),
  );
  app.route("/", otlpRoutes({ ...deps.ingest, verifyKey: deps.verifyKey }));
  app.route(
    "/",
    statsRoutes({
      pool: deps.readPool,
      verifyKey: deps.verifyKey,
      kMinEvents: deps.env.K_MIN_EVENTS,
      floorGrain: deps.env.FLOOR_GRAIN,
      pricePer1kUnits: deps.env.GOOGLE_PRICE_PER_1K_UNITS,
      mapping: { scheme: deps.taxonomy.scheme, version: deps.taxonomy.version },
    }),
  );
  app.route("/", docsRoutes());
  app.route("/", adminRoutes({ queue: deps.queue, verifyKey: deps.verifyKey }));
  app.route("/", dashboardRoutes());

  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", { type: "http", scheme: "bearer" });
  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "prompt-census",
      version: "0.1.0",
      description: "What people use LLMs for, from anonymous tags. No prompt text or identifiers are stored.",
      license: LICENSE,
    },
    // relative: the host that served this document, whatever name or proxy it was reached through
    servers: [{ url: "/", description: "This service" }],
    tags: [
      { name: "ingest", description: "Routers post sampled prompts" },
      { name: "stats", description: "The study's analyses, with the privacy floor" },
      { name: "ops", description: "Health and readiness, for orchestrators" },
    ],
  });

  return withErrorHandlers(app, log);
}

function withErrorHandlers(app: OpenAPIHono<AppEnv>, log: Logger) {
  // A known path with another method is a 405 naming the methods it has, not a 404.
  app.notFound((c) => {
    const allow = allowedMethods(app.routes, c.req.path);
    if (allow.length === 0) {
      return renderProblem(c, new AppError("NOT_FOUND", `No route for ${c.req.method} ${c.req.path}.`), log);
    }
    if (c.req.method === "OPTIONS") return c.body(null, 204, { allow: allow.join(", ") });
    return renderProblem(
      c,
      new AppError("METHOD_NOT_ALLOWED", `${c.req.path} accepts ${allow.join(", ")}, not ${c.req.method}.`, {
        headers: { allow: allow.join(", ") },
      }),
      log,
    );
  });
  app.onError((err, c) => renderProblem(c, err, log));
  return app;
}

export type App = ReturnType<typeof createApp>;
