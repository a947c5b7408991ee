import { Hono } from "hono";
import type { KeyVerifier } from "../auth/keys";
import { requireScope } from "../auth/middleware";
import type { ClassifyQueue } from "../classification/jobs";
import { htmlHeaders } from "../http/security";
import { AppError } from "../platform/errors";
import { redactJobData } from "./redact";

export const ADMIN_QUEUES_PATH = "/admin/queues";

/** bull-board and its UI, loaded on the first request: most processes never serve it. */
async function buildBoard(queue: ClassifyQueue) {
  const [{ createBullBoard }, { BullMQAdapter }, { HonoAdapter }, { serveStatic }] = await Promise.all([
    import("@bull-board/api"),
    import("@bull-board/api/bullMQAdapter"),
    import("@bull-board/hono"),
    import("@hono/node-server/serve-static"),
  ]);
  const serverAdapter = new HonoAdapter(serveStatic);
  serverAdapter.setBasePath(ADMIN_QUEUES_PATH);
  const adapter = new BullMQAdapter(queue, { description: "classifyText jobs (text not shown)" });
  adapter.setFormatter("data", redactJobData);
  createBullBoard({
    queues: [adapter],
    serverAdapter,
    options: { uiConfig: { boardTitle: "prompt-census" } },
  });
  return new Hono().route(ADMIN_QUEUES_PATH, serverAdapter.registerPlugin());
}

/**
 * The queue UI (bull-board) for operators: job ids, states, attempts, timing, error names, and
 * retry/clean/promote. Admin scope only, by Bearer key or, in a browser, Basic auth with the key
 * as password. Job data is shown redacted; editing it or adding jobs is refused, since an edit
 * made on the redacted view would replace the prompt's text.
 */
export function adminRoutes(deps: { queue: ClassifyQueue; verifyKey: KeyVerifier }) {
  let board: Promise<Hono> | undefined;
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
  const serve = async (req: Request) => {
    board ??= buildBoard(deps.queue);
    const res = await (await board).fetch(req);
    if (!res.headers.get("content-type")?.startsWith("text/html")) return res;
    // bull-board's page sets <base> and inline styles; its scripts come from this origin
    const headers = new Headers(res.headers);
    for (const [name, value] of Object.entries(
      htmlHeaders({ styleSrc: "'self' 'unsafe-inline'", baseUri: "'self'" }),
    ))
      headers.set(name, value);
    return new Response(res.body, { status: res.status, headers });
  };
  app.all(ADMIN_QUEUES_PATH, (c) => serve(c.req.raw));
  app.all(`${ADMIN_QUEUES_PATH}/*`, (c) => serve(c.req.raw));
  return app;
}
