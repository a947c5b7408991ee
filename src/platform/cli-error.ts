import { AppError } from "./errors";
import { toAppError } from "./problem";

/**
 * Pure: the one line `census` prints for an error, and its exit code, from the same code table
 * the API renders as problem+json. The operator runs the process, so the line keeps the
 * message (a thrown Error's included), unlike an HTTP 5xx; a lost service still reads as
 * SERVICE_UNAVAILABLE, not INTERNAL.
 */
export function cliProblem(err: unknown): { line: string; exitCode: number } {
  const appErr = toAppError(err);
  const detail = err instanceof AppError || !(err instanceof Error) ? appErr.message : err.message;
  return { line: `${appErr.code}: ${detail}`, exitCode: appErr.exitCode };
}

/** Prints the error's line to stderr and returns the exit code to leave with. */
export function renderCliError(err: unknown, out: NodeJS.WritableStream = process.stderr): number {
  const { line, exitCode } = cliProblem(err);
  out.write(`${line}\n`);
  return exitCode;
}
