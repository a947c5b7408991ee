import { createBullBoard } from "@bull-board/api";
import { BullMQAdapter } from "@bull-board/api/bullMQAdapter";
import { HonoAdapter } from "@bull-board/hono";
import { serveStatic } from "@hono/node-server/serve-static";
import { Hono } from "hono";
import type { KeyVerifier } from "../auth/keys";
import { requireScope } from "../auth/middleware";
import type { ClassifyQueue } from "../classification/jobs";
import { htmlHeaders } from "../http/security";
import { AppError } from "../platform/errors";
import { redactJobData } from "./redact";

export const ADMIN_QUEUES_PATH = "/admin/queues";

/**
 * The queue UI (bull-board) for operators: job ids, states, attempts, timing, error names, and
 * retry/clean/promote. Admin scope only, by Bearer key or, in a browser, Basic auth with the key
 * as password. Job data is shown redacted; editing it or adding jobs is refused, since an edit
 * made on the redacted view would replace the prompt's text.
 */
export function adminRoutes(deps: { queue: ClassifyQueue; verifyKey: KeyVerifier }) {
  const serverAdapter = new HonoAdapter(serveStatic);
  serverAdapter.setBasePath(ADMIN_QUEUES_PATH);
  const queue = new BullMQAdapter(deps.queue, { description: "classifyText jobs (text not shown)" });
  queue.setFormatter("data", redactJobData);
  createBullBoard({ queues: [queue], serverAdapter, options: { uiConfig: { boardTitle: "prompt-census" } } });

  const app = new Hono();
  const admin = requireScope(deps.verifyKey, "admin", { basic: true });
  app.use(ADMIN_QUEUES_PATH, admin);
  app.use(`${ADMIN_QUEUES_PATH}/*`, admin);
  const refuse = () => {
    throw new AppError(
      "FORBIDDEN",
      "Job data is shown redacted here, so it cannot be edited or added from the UI.",
    );
  };
  app.all(`${ADMIN_QUEUES_PATH}/api/queues/:queueName/:jobId/update-data`, refuse);
  app.all(`${ADMIN_QUEUES_PATH}/api/queues/:queueName/add`, refuse);
  // bull-board's page sets <base> and inline styles; its scripts come from this origin
  app.use(`${ADMIN_QUEUES_PATH}/*`, async (c, next) => {
    await next();
    if (c.res.headers.get("content-type")?.startsWith("text/html")) {
      for (const [name, value] of Object.entries(
        htmlHeaders({ styleSrc: "'self' 'unsafe-inline'", baseUri: "'self'" }),
      ))
        c.res.headers.set(name, value);
    }
  });
  app.route(ADMIN_QUEUES_PATH, serverAdapter.registerPlugin());
  return app;
}
