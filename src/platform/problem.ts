import type { Context } from "hono";
import { AppError, errorCodes, isConnectionLost } from "./errors";
import type { Logger } from "./logger";

export const PROBLEM_CONTENT_TYPE = "application/problem+json";

/**
 * Pure: what a client may read of an error. Every 5xx says its code's title (INTERNAL a fixed
 * line): a message thrown on the server side can quote a driver, a host or input, and never
 * leaves the process. 4xx details are written for the client and pass.
 */
export function publicDetail(err: AppError): string {
  const { status, title } = errorCodes[err.code];
  if (err.code === "INTERNAL") return "An unexpected error occurred; it has been logged.";
  return status >= 500 ? title : err.message;
}

/** RFC 9457 fields of an error, without the request's id (a batch's rejected items carry these). */
export function problemFields(err: AppError) {
  const { status, title } = errorCodes[err.code];
  return {
    type: `https://prompt-census.dev/problems/${err.code.toLowerCase().replaceAll("_", "-")}`,
    title,
    status,
    detail: publicDetail(err),
    code: err.code,
    ...(err.errors ? { errors: err.errors } : {}),
  };
}

/** RFC 9457 body of a response: the error's fields and this request's id. */
export function problemBody(err: AppError, requestId: string) {
  const { errors, ...fields } = problemFields(err);
  return { ...fields, requestId, ...(errors ? { errors } : {}) };
}

/** Anything thrown, as one of the table's errors: a lost backing service is a 503, not a 500. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (isConnectionLost(err)) return new AppError("SERVICE_UNAVAILABLE", undefined, { cause: err });
  // statement_timeout: our query was too slow for the API's limit
  if ((err as { code?: unknown } | null)?.code === "57014") {
    return new AppError("QUERY_TIMEOUT", undefined, { cause: err });
  }
  return new AppError("INTERNAL", undefined, { cause: err });
}

export function renderProblem(c: Context, err: unknown, log: Logger): Response {
  const requestId = (c.get("requestId") as string | undefined) ?? "unknown";
  const appErr = toAppError(err);
  c.set("problemCode", appErr.code);
  if (appErr.code === "INTERNAL") {
    // Log the error's type and stack only: a message can quote input (e.g. JSON.parse echoes text).
    const cause = appErr.cause instanceof Error ? appErr.cause : undefined;
    log.error(
      { requestId, errName: cause?.name, stack: cause?.stack?.split("\n").slice(1, 8) },
      "unhandled error",
    );
  }
  return new Response(JSON.stringify(problemBody(appErr, requestId)), {
    status: appErr.status,
    headers: { ...appErr.headers, "content-type": PROBLEM_CONTENT_TYPE },
  });
}
