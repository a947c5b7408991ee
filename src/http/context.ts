import type { HttpBindings } from "@hono/node-server";

export interface AppEnv {
  /** The Node request and response under @hono/node-server; absent under app.request() in tests. */
  Bindings: Partial<HttpBindings>;
  Variables: {
    /** Our id for this HTTP request (never the router's requestId). */
    requestId: string;
    /** Counts a handler wants on the request's summary log line. */
    logFields: Record<string, number | string>;
    /** Set by the problem renderer: the code of the error this request ended with. */
    problemCode: string;
  };
}
