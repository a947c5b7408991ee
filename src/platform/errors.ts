// One error type with a closed code table. HTTP rendering lives in ./problem.ts; the worker turns
// non-retryable codes into BullMQ's UnrecoverableError.

export const errorCodes = {
  BAD_REQUEST: { status: 400, title: "Bad request", retryable: false },
  VALIDATION_FAILED: { status: 400, title: "Request body failed validation", retryable: false },
  MALFORMED_JSON: { status: 400, title: "Request body is not valid JSON", retryable: false },
  UNAUTHORIZED: { status: 401, title: "Missing or invalid API key", retryable: false },
  FORBIDDEN: { status: 403, title: "API key lacks the required scope", retryable: false },
  NOT_FOUND: { status: 404, title: "Not found", retryable: false },
  METHOD_NOT_ALLOWED: { status: 405, title: "Method not allowed", retryable: false },
  PAYLOAD_TOO_LARGE: { status: 413, title: "Request body too large", retryable: false },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: "Content-Type must be application/json", retryable: false },
  SERVICE_UNAVAILABLE: { status: 503, title: "A backing service is unavailable", retryable: true },
  INTERNAL: { status: 500, title: "Internal error", retryable: true },
} as const satisfies Record<string, { status: number; title: string; retryable: boolean }>;

export type ErrorCode = keyof typeof errorCodes;

export interface FieldError {
  path: string;
  message: string;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly errors: FieldError[] | undefined;

  constructor(code: ErrorCode, detail?: string, opts: { errors?: FieldError[]; cause?: unknown } = {}) {
    super(detail ?? errorCodes[code].title, { cause: opts.cause });
    this.name = "AppError";
    this.code = code;
    this.errors = opts.errors;
  }

  get status(): number {
    return errorCodes[this.code].status;
  }

  get retryable(): boolean {
    return errorCodes[this.code].retryable;
  }
}

const UNAVAILABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "57P01",
  "57P02",
  "57P03",
]);

/** A backing service that cannot answer (connection lost, database starting or shutting down). */
export function isUnavailable(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  if (typeof code === "string" && (UNAVAILABLE_CODES.has(code) || code.startsWith("08"))) return true;
  const message = (err as { message?: unknown })?.message;
  return (
    typeof message === "string" &&
    /Connection terminated|connect ECONNREFUSED|timeout exceeded when trying to connect/.test(message)
  );
}
