import { isConnectionLost } from "../platform/errors";
import { ClassifierError, type ClassifierErrorKind } from "./classifier";

// gRPC status codes we care about (google-gax `Status`).
const GRPC = {
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

interface ErrorLike {
  code?: unknown;
  status?: unknown;
  message?: unknown;
  name?: unknown;
  response?: { status?: unknown };
}

/**
 * Maps an error from @google-cloud/language to a kind. In gRPC mode `code` is a gRPC status; in REST
 * mode (fallback) a non-2xx arrives as a GaxiosError whose code/status is the HTTP status and whose
 * message is the raw JSON body. Both are handled, so the worker behaves the same on either transport.
 * Unrecognised errors return null: the caller treats them as transient (retry, never drop).
 */
export function classifyGoogleError(err: unknown): ClassifierErrorKind | null {
  if (err instanceof ClassifierError) return err.kind;
  if (typeof err !== "object" || err === null) return null;
  const e = err as ErrorLike;
  const message = typeof e.message === "string" ? e.message : "";
  const httpStatus = numeric(e.response?.status) ?? (isHttpStatus(e.status) ? numeric(e.status) : undefined);
  const code = numeric(e.code);
  const status = httpStatus ?? (code !== undefined && code >= 100 ? code : undefined);
  const grpc = httpStatus === undefined && code !== undefined && code < 100 ? code : undefined;
  const statusName = /"status"\s*:\s*"([A-Z_]+)"/.exec(message)?.[1];

  if (status === 400 || grpc === GRPC.INVALID_ARGUMENT || statusName === "INVALID_ARGUMENT") {
    return invalidArgumentKind(message);
  }
  if (status === 429 || grpc === GRPC.RESOURCE_EXHAUSTED || statusName === "RESOURCE_EXHAUSTED")
    return "quota";
  if (status === 401 || status === 403 || grpc === GRPC.UNAUTHENTICATED || grpc === GRPC.PERMISSION_DENIED) {
    return "auth";
  }
  if (
    status === 500 ||
    status === 502 ||
    status === 503 ||
    status === 504 ||
    grpc === GRPC.UNAVAILABLE ||
    grpc === GRPC.DEADLINE_EXCEEDED ||
    grpc === GRPC.INTERNAL
  ) {
    return "unavailable";
  }
  if (isConnectionLost(err)) return "unreachable";
  if (e.name === "AbortError" || e.name === "TimeoutError") return "unavailable";
  return null;
}

export function invalidArgumentKind(message: string): ClassifierErrorKind {
  const m = message.toLowerCase();
  if (m.includes("too few tokens")) return "too_short";
  if (/language \S+ is not supported/.test(m) || m.includes("unsupported language"))
    return "unsupported_language";
  return "invalid";
}

/**
 * The language Google names when it refuses one ("The language ja is not supported ..."), so a
 * refused event keeps its language and the refused share shows up by language. Pure; null when
 * the error names none.
 */
export function refusedLanguage(err: unknown): string | null {
  const message = typeof err === "object" && err !== null ? String((err as ErrorLike).message ?? "") : "";
  const code = /language ([A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*) is not supported/i.exec(message)?.[1];
  return code ?? null;
}

function numeric(v: unknown): number | undefined {
  if (typeof v === "number" && Number.isInteger(v)) return v;
  if (typeof v === "string" && /^\d+$/.test(v)) return Number(v);
  return undefined;
}

function isHttpStatus(v: unknown): boolean {
  const n = numeric(v);
  return n !== undefined && n >= 100 && n < 600;
}
