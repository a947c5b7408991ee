import type { Context } from "hono";
import { AppError, errorCodes, isConnectionLost } from "./errors";
import type { Logger } from "./logger";

export const PROBLEM_CONTENT_TYPE = "application/problem+json";

/** RFC 9457 fields of an error. `detail` of a 500 is fixed text: internal messages never leave the process. */
export function problemFields(err: AppError) {
  const { status, title } = errorCodes[err.code];
  return {
    type: `https://prompt-census.dev/problems/${err.code.toLowerCase().replaceAll("_", "-")}`,
    title,
    status,
    detail: err.code === "INTERNAL" ? "An unexpected error occurred; it has been logged." : err.message,
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
  if (isConnectionLost(err)) {
    return new AppError("SERVICE_UNAVAILABLE", "A backing service is unavailable; retry shortly.", {
      cause: err,
    });
  }
  if ((err as { code?: unknown } | null)?.code === "57014") {
    // statement_timeout: our query was too slow for the API's limit
    return new AppError(
      "SERVICE_UNAVAILABLE",
      "The query took too long; retry, or ask for a shorter range.",
      {
        cause: err,
      },
    );
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
