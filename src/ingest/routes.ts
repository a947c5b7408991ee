import { setImmediate } from "node:timers/promises";
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import type { KeyVerifier } from "../auth/keys";
import { requireScope } from "../auth/middleware";
import { readJsonBody } from "../http/body";
import type { AppEnv } from "../http/context";
import { problemResponses } from "../http/openapi";
import { parseOrThrow } from "../http/validate";
import { AppError } from "../platform/errors";
import { sampleRateIssues } from "./limits";
import {
  batchSchema,
  ingestBodySchema,
  ingestResultSchema,
  MAX_BODY_BYTES,
  promptItemSchema,
} from "./schema";
import { type IngestDeps, ingestPrompts } from "./service";

const route = createRoute({
  method: "post",
  path: "/v1/prompts",
  tags: ["ingest"],
  summary: "Submit one prompt or a batch of up to 1,000 (5 MB)",
  description:
    "Each item is sampled deterministically by a keyed hash of its requestId (or taken as is when it carries `sampleRate`), truncated to MAX_CHARS code points and queued for classification. Only anonymous tags are stored.",
  security: [{ bearer: [] }],
  request: { body: { required: true, content: { "application/json": { schema: ingestBodySchema } } } },
  responses: {
    202: { description: "Accepted", content: { "application/json": { schema: ingestResultSchema } } },
    ...problemResponses(400, 401, 403, 413, 415, 503),
  },
});

export function ingestRoutes(deps: IngestDeps & { verifyKey: KeyVerifier; minSampleRate: number }) {
  const app = new OpenAPIHono<AppEnv>();
  app.openAPIRegistry.registerPath(route);
  // The handler reads the body itself (streaming byte cap, then zod) instead of the generated
  // validator, which would buffer an unbounded body first.
  app.post(route.path, requireScope(deps.verifyKey, "ingest"), async (c) => {
    const body = await readJsonBody(c.req.raw, MAX_BODY_BYTES);
    await setImmediate(); // a turn for the event loop between parsing 5 MB of JSON and checking it
    const isBatch = typeof body === "object" && body !== null && !Array.isArray(body) && "prompts" in body;
    const items = isBatch ? parseOrThrow(batchSchema, body).prompts : [parseOrThrow(promptItemSchema, body)];
    const low = sampleRateIssues(items, deps.minSampleRate, (i) =>
      isBatch ? `prompts.${i}.sampleRate` : "sampleRate",
    );
    if (low.length > 0)
      throw new AppError("VALIDATION_FAILED", `${low[0]?.path}: ${low[0]?.message}`, { errors: low });
    const result = await ingestPrompts(items, deps, { source: "live" });
    c.set("logFields", result);
    return c.json(result, 202);
  });
  return app;
}
