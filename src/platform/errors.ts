// One error type with a closed code table. HTTP rendering lives in ./problem.ts; the worker turns
// codes that are not retryable into BullMQ's UnrecoverableError (classification/worker.ts), and
// failure reasons on `census_jobs_failed_total` are these codes' names.

export const errorCodes = {
  BAD_REQUEST: { status: 400, title: "Bad request", retryable: false },
  VALIDATION_FAILED: { status: 400, title: "Request body failed validation", retryable: false },
  MALFORMED_JSON: { status: 400, title: "Request body is not valid JSON", retryable: false },
  UNAUTHORIZED: { status: 401, title: "Missing or invalid API key", retryable: false },
  FORBIDDEN: { status: 403, title: "API key lacks the required scope", retryable: false },
  NOT_FOUND: { status: 404, title: "Not found", retryable: false },
  METHOD_NOT_ALLOWED: { status: 405, title: "Method not allowed", retryable: false },
  REQUEST_TIMEOUT: { status: 408, title: "The request body did not arrive in time", retryable: true },
  // A stats filter (model, author) with no released unit in the window: nothing it could show.
  BELOW_FLOOR: { status: 422, title: "The filter does not clear the privacy floor", retryable: false },
  PAYLOAD_TOO_LARGE: { status: 413, title: "Request body too large", retryable: false },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: "Content-Type must be application/json", retryable: false },
  // nginx's 499: the client went away before the body arrived. Nobody reads the answer; the code
  // exists so logs and metrics do not count a client's disconnect as our outage.
  CLIENT_CLOSED_REQUEST: { status: 499, title: "The client closed the request", retryable: true },
  SERVICE_UNAVAILABLE: { status: 503, title: "A backing service is unavailable", retryable: true },
  INTERNAL: { status: 500, title: "Internal error", retryable: true },
  // Worker-side: never rendered over HTTP.
  JOB_INVALID: {
    status: 500,
    title: "The job is not a classify job this worker understands",
    retryable: false,
  },
  DATA_REJECTED: { status: 500, title: "Postgres refused the event's data", retryable: false },
  // The worker's own Redis calls (Google's call slots, queue holds) found Redis gone: the job goes
  // back to the queue without using an attempt, and the log says Redis, not Postgres.
  REDIS_UNAVAILABLE: { status: 503, title: "Redis is unavailable", retryable: true },
  // Retryable, so such a job is kept: the operator may add the missing key and retry it.
  PAYLOAD_UNREADABLE: { status: 500, title: "The job's sealed text does not open", retryable: true },
} as const satisfies Record<string, { status: number; title: string; retryable: boolean }>;

export type ErrorCode = keyof typeof errorCodes;

export interface FieldError {
  path: string;
  message: string;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly errors: FieldError[] | undefined;
  /** Response headers the error needs (Allow on a 405, WWW-Authenticate on a 401). */
  readonly headers: Record<string, string> | undefined;

  constructor(
    code: ErrorCode,
    detail?: string,
    opts: { errors?: FieldError[]; cause?: unknown; headers?: Record<string, string> } = {},
  ) {
    super(detail ?? errorCodes[code].title, { cause: opts.cause });
    this.name = "AppError";
    this.code = code;
    this.errors = opts.errors;
    this.headers = opts.headers;
  }

  get status(): number {
    return errorCodes[this.code].status;
  }

  get retryable(): boolean {
    return errorCodes[this.code].retryable;
  }
}

// Socket-level failures (Node's net, undici) and Postgres SQLSTATEs that mean "the server cannot
// answer now": class 08 (connection exception), 57P01-57P03 (admin/crash shutdown, cannot connect
// now) and 53300 (too many connections).
const LOST_CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "57P01",
  "57P02",
  "57P03",
  "53300",
]);

// What pg, ioredis and Node say when a connection is gone without giving a code.
const LOST_CONNECTION_MESSAGES =
  /Connection terminated|connect ECONNREFUSED|timeout exceeded when trying to connect|Connection is closed|Stream isn't writeable|max retries per request limit|Client has encountered a connection error/;

/**
 * The one answer to "is this a lost connection to a backing service?": the API maps it to 503,
 * the worker holds the queue (Postgres) or retries (Google), a backfill stops with a checkpoint.
 * Follows `cause` chains and AggregateError (Node reports each address tried).
 */
export function isConnectionLost(err: unknown, depth = 0): boolean {
  if (typeof err !== "object" || err === null || depth > 4) return false;
  const e = err as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
  if (typeof e.code === "string" && (LOST_CONNECTION_CODES.has(e.code) || /^08[0-9A-Z]{3}$/.test(e.code)))
    return true;
  if (typeof e.message === "string" && LOST_CONNECTION_MESSAGES.test(e.message)) return true;
  if (Array.isArray(e.errors) && e.errors.some((x) => isConnectionLost(x, depth + 1))) return true;
  return isConnectionLost(e.cause, depth + 1);
}

/**
 * Postgres refused the data itself (SQLSTATE classes 22 data exception, 23 integrity constraint,
 * 54 program limit): sending the same row again can never succeed.
 */
export function isDataError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" && /^(22|23|54)[0-9A-Z]{3}$/.test(code);
}
