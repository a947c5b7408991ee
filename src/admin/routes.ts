import { Hono } from "hono";
import type { KeyVerifier } from "../auth/keys";
import { requireScope } from "../auth/middleware";
import { htmlHeaders } from "../http/security";
import { AppError } from "../platform/errors";
import type { ClassifyQueue } from "../queue/jobs";
import { jobView } from "./job-view";

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
  adapter.setFormatter("data", jobView);
  createBullBoard({
    queues: [adapter],
    serverAdapter,
    options: { uiConfig: { boardTitle: "prompt-census" } },
  });
  return new Hono().route(ADMIN_QUEUES_PATH, serverAdapter.registerPlugin());
}

// What the UI may change: retry and promote, which send a job on towards its event sooner.
// Everything else that writes is refused by default: empty, obliterate, clean and remove delete
// accepted prompts; pause, concurrency and rate limits belong to the operator's own tools; an
// edit of the redacted view would replace a prompt's text. An allow-list of exact paths, so a
// route bull-board adds in a later version is refused until someone decides otherwise.
const WRITABLE = [
  /^\/api\/queues\/[\w-]+\/retry\/failed$/,
  /^\/api\/queues\/[\w-]+\/promote$/,
  /^\/api\/queues\/[\w-]+\/[\w:-]+\/retry$/,
  /^\/api\/queues\/[\w-]+\/[\w:-]+\/promote$/,
];
const READ_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** Pure: may a request with this method reach bull-board at this path (below ADMIN_QUEUES_PATH)? */
export function uiMayServe(method: string, subpath: string): boolean {
  return READ_METHODS.has(method) || WRITABLE.some((r) => r.test(subpath));
}

/**
 * The queue UI (bull-board) for operators: job ids, states, attempts, timing, error names, and
 * retry/promote. Admin scope only, by Bearer key or, in a browser, Basic auth with the key as
 * password. Job data is shown redacted; nothing that removes, edits or adds jobs is served.
 */
export function adminRoutes(deps: { queue: ClassifyQueue; verifyKey: KeyVerifier }) {
  let board: Promise<Hono> | undefined;
  const app = new Hono();
  const admin = requireScope(deps.verifyKey, "admin", { basic: true });
  app.use(ADMIN_QUEUES_PATH, admin);
  app.use(`${ADMIN_QUEUES_PATH}/*`, admin);
  app.use(`${ADMIN_QUEUES_PATH}/*`, async (c, next) => {
    const subpath = new URL(c.req.url).pathname.slice(ADMIN_QUEUES_PATH.length);
    if (uiMayServe(c.req.method, subpath)) return next();
    throw new AppError(
      "FORBIDDEN",
      "The queue UI can retry and promote jobs, nothing else: accepted prompts are never removed, edited or added here. `census queue purge` removes failed jobs, and is logged and counted.",
    );
  });
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
