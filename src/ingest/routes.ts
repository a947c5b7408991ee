import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import type { KeyVerifier } from "../auth/keys";
import { requireScope } from "../auth/middleware";
import { readJsonBody } from "../http/body";
import type { AppEnv } from "../http/context";
import { problemResponses } from "../http/openapi";
import { parseOrThrow } from "../http/validate";
import { AppError } from "../platform/errors";
import { batchItems, judgeItems } from "./accept";
import { sampleRateIssues } from "./limits";
import { isSampled } from "./sampling";
import {
  type IngestAnswer,
  ingestAnswerSchema,
  ingestBodySchema,
  MAX_BODY_BYTES,
  type PromptItem,
  promptItemSchema,
} from "./schema";
import { type IngestDeps, ingestPrompts } from "./service";

const route = createRoute({
  method: "post",
  path: "/v1/prompts",
  operationId: "ingestPrompts",
  tags: ["ingest"],
  summary: "Submit one prompt or a batch of up to 1,000 (5 MB)",
  description:
    "Each item is sampled deterministically by a keyed hash of its requestId (or taken as is when it carries `sampleRate`), truncated to MAX_CHARS code points and queued for classification. Only anonymous tags are stored. In a batch each item is judged alone: the valid ones are taken and each invalid one is listed in `rejected` by its index; a batch is refused whole (400) only when the request itself is at fault (not JSON, no `prompts` array, more than 1,000 items). A single item that fails validation is a 400.",
  security: [{ bearer: [] }],
  request: { body: { required: true, content: { "application/json": { schema: ingestBodySchema } } } },
  responses: {
    202: {
      description: "Taken: the valid items are queued, the invalid ones of a batch listed in `rejected`",
      content: { "application/json": { schema: ingestAnswerSchema } },
    },
    ...problemResponses(400, 401, 403, 413, 415, 503),
  },
});

/** A single item: it is the whole request, so a fault in it is the request's (400). */
function singleItem(body: unknown, minSampleRate: number): PromptItem {
  const item = parseOrThrow(promptItemSchema, body);
  const low = sampleRateIssues([item], minSampleRate, () => "sampleRate");
  if (low.length > 0)
    throw new AppError("VALIDATION_FAILED", `${low[0]?.path}: ${low[0]?.message}`, { errors: low });
  return item;
}

export function ingestRoutes(deps: IngestDeps & { verifyKey: KeyVerifier; minSampleRate: number }) {
  const app = new OpenAPIHono<AppEnv>();
  const outsideSample = (requestId: string) => !isSampled(deps.secret, requestId, deps.sampleRate);
  app.openAPIRegistry.registerPath(route);
  // The handler reads the body itself (streaming byte cap, then zod) instead of the generated
  // validator, which would buffer an unbounded body first.
  app.post(route.path, requireScope(deps.verifyKey, "ingest"), async (c) => {
    const body = await readJsonBody(c.req.raw, MAX_BODY_BYTES, c.env?.incoming);
    const since = performance.now(); // judging and planning share one slice of the event loop
    const isBatch = typeof body === "object" && body !== null && !Array.isArray(body) && "prompts" in body;
    const { valid, rejected, outside } = isBatch
      ? judgeItems(batchItems(body), deps.minSampleRate, outsideSample)
      : { valid: [singleItem(body, deps.minSampleRate)], rejected: [], outside: 0 };
    const counts = await ingestPrompts(valid, deps, { source: "live", outside, since });
    if (rejected.length > 0)
      deps.metrics.ingestItems.inc({ result: "rejected", source: "live" }, rejected.length);
    c.set("logFields", { ...counts, rejected: rejected.length });
    return c.json({ ...counts, rejected } satisfies IngestAnswer, 202);
  });
  return app;
}
