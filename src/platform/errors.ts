// One error type with a closed code table. HTTP rendering lives in ./problem.ts; the worker turns
// codes that are not retryable into BullMQ's UnrecoverableError (classification/worker.ts), and
// failure reasons on `census_jobs_failed_total` are these codes' names.

// `exit` is the command line's exit code for the code: 2 for a usage error (as a shell's own
// commands do), 1 for anything else. `census` prints `CODE: detail` and exits with it (./cli-error.ts).
export const errorCodes = {
  BAD_REQUEST: { status: 400, title: "Bad request", retryable: false, exit: 2 },
  VALIDATION_FAILED: { status: 400, title: "Request failed validation", retryable: false, exit: 2 },
  MALFORMED_JSON: { status: 400, title: "Request body is not valid JSON", retryable: false, exit: 2 },
  UNAUTHORIZED: { status: 401, title: "Missing or invalid API key", retryable: false, exit: 1 },
  FORBIDDEN: { status: 403, title: "API key lacks the required scope", retryable: false, exit: 1 },
  NOT_FOUND: { status: 404, title: "Not found", retryable: false, exit: 1 },
  METHOD_NOT_ALLOWED: { status: 405, title: "Method not allowed", retryable: false, exit: 2 },
  REQUEST_TIMEOUT: {
    status: 408,
    title: "The request body did not arrive in time",
    retryable: true,
    exit: 1,
  },
  // A stats filter (model, author) with no released unit in the window: nothing it could show.
  BELOW_FLOOR: {
    status: 422,
    title: "The filter does not clear the privacy floor",
    retryable: false,
    exit: 1,
  },
  PAYLOAD_TOO_LARGE: { status: 413, title: "Request body too large", retryable: false, exit: 2 },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    title: "Content-Type must be application/json",
    retryable: false,
    exit: 2,
  },
  // nginx's 499: the client went away before the body arrived. Nobody reads the answer; the code
  // exists so logs and metrics do not count a client's disconnect as our outage.
  CLIENT_CLOSED_REQUEST: { status: 499, title: "The client closed the request", retryable: true, exit: 1 },
  SERVICE_UNAVAILABLE: { status: 503, title: "A backing service is unavailable", retryable: true, exit: 1 },
  // statement_timeout: a query was too slow for the API's limit.
  QUERY_TIMEOUT: {
    status: 503,
    title: "The query took too long; retry, or ask for a shorter range",
    retryable: true,
    exit: 1,
  },
  INTERNAL: { status: 500, title: "Internal error", retryable: true, exit: 1 },
  // Worker-side: never rendered over HTTP.
  JOB_INVALID: {
    status: 500,
    title: "The job is not a classify job this worker understands",
    retryable: false,
    exit: 1,
  },
  DATA_REJECTED: { status: 500, title: "Postgres refused the event's data", retryable: false, exit: 1 },
  // The worker's own Redis calls (Google's call slots, queue holds) found Redis gone: the job goes
  // back to the queue without using an attempt, and the log says Redis, not Postgres.
  REDIS_UNAVAILABLE: { status: 503, title: "Redis is unavailable", retryable: true, exit: 1 },
  // Retryable, so such a job is kept: the operator may add the missing key and retry it.
  PAYLOAD_UNREADABLE: {
    status: 500,
    title: "The job's sealed text does not open",
    retryable: true,
    exit: 1,
  },
  // Command-line side: never rendered over HTTP (their status only says which family they are).
  USAGE: { status: 400, title: "Bad command-line usage", retryable: false, exit: 2 },
  // A backfill's input stopped making sense (not JSON where JSON must be, a read error).
  INPUT_UNREADABLE: { status: 422, title: "The input cannot be read", retryable: false, exit: 1 },
  // A backfill run cannot go on as asked (already done, another input than the run's).
  RUN_REFUSED: { status: 409, title: "The backfill run cannot go on as asked", retryable: false, exit: 1 },
  // Production refuses a Redis that can lose accepted prompts (platform/redis-durability.ts).
  REDIS_VOLATILE: {
    status: 503,
    title: "Redis can lose accepted prompts",
    retryable: false,
    exit: 1,
  },
} as const satisfies Record<string, { status: number; title: string; retryable: boolean; exit: 1 | 2 }>;

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

  /** The command line's exit code for this error. */
  get exitCode(): number {
    return errorCodes[this.code].exit;
  }
}

export interface Issue {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

/**
 * The one mapping from schema issues (zod's) to an error listing each bad field by path
 * (`prompts.3.model`), the first named in `detail`: the API's body and query checks give
 * VALIDATION_FAILED, the command line's options USAGE (their paths shown as `--flags`).
 */
export function invalid(
  code: ErrorCode,
  issues: readonly Issue[],
  o: { whole: string; name?: (path: string) => string },
): AppError {
  const errors = issues.slice(0, 100).map((issue) => {
    const path = issue.path.map(String).join(".");
    return { path: path ? (o.name?.(path) ?? path) : o.whole, message: issue.message };
  });
  const first = errors[0];
  const more = errors.length > 1 ? ` (and ${issues.length - 1} more)` : "";
  return new AppError(code, first ? `${first.path}: ${first.message}${more}` : undefined, { errors });
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
