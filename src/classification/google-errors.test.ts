import { describe, expect, it } from "vitest";
import { ClassifierError } from "./classifier";
import { classifyGoogleError, refusedLanguage } from "./google-errors";

// REST (fallback) mode: GaxiosError-like, HTTP status in code/status, raw JSON body as message.
const rest = (status: number, grpcStatus: string, message: string) => ({
  name: "GaxiosError",
  code: status,
  status,
  response: { status },
  message: JSON.stringify({ error: { code: status, message, status: grpcStatus } }),
});

// gRPC mode: numeric gRPC status in code, "<code> <NAME>: <message>" as message.
const grpc = (code: number, name: string, message: string) => ({
  code,
  details: message,
  message: `${code} ${name}: ${message}`,
});

describe("classifyGoogleError", () => {
  it.each([
    ["REST 429", rest(429, "RESOURCE_EXHAUSTED", "Quota exceeded"), "quota"],
    ["gRPC 8", grpc(8, "RESOURCE_EXHAUSTED", "Quota exceeded"), "quota"],
    ["REST 503", rest(503, "UNAVAILABLE", "unavailable"), "unavailable"],
    ["REST 504", rest(504, "DEADLINE_EXCEEDED", "deadline"), "unavailable"],
    ["REST 500", rest(500, "INTERNAL", "internal"), "unavailable"],
    ["gRPC 14", grpc(14, "UNAVAILABLE", "connection dropped"), "unavailable"],
    ["gRPC 4", grpc(4, "DEADLINE_EXCEEDED", "deadline"), "unavailable"],
    [
      "REST too few tokens",
      rest(400, "INVALID_ARGUMENT", "Invalid text content: too few tokens (words) to process."),
      "too_short",
    ],
    [
      "gRPC too few tokens",
      grpc(3, "INVALID_ARGUMENT", "Invalid text content: too few tokens (words) to process."),
      "too_short",
    ],
    [
      "REST language",
      rest(400, "INVALID_ARGUMENT", "The language ar is not supported for classify_text analysis."),
      "unsupported_language",
    ],
    [
      "gRPC language",
      grpc(3, "INVALID_ARGUMENT", "The language sw is not supported for classify_text analysis."),
      "unsupported_language",
    ],
    ["REST other 400", rest(400, "INVALID_ARGUMENT", "Request contains an invalid argument."), "invalid"],
    ["gRPC other 3", grpc(3, "INVALID_ARGUMENT", "document too large"), "invalid"],
    ["REST 401", rest(401, "UNAUTHENTICATED", "API key not valid"), "auth"],
    ["REST 403", rest(403, "PERMISSION_DENIED", "API not enabled"), "auth"],
    ["gRPC 16", grpc(16, "UNAUTHENTICATED", "bad creds"), "auth"],
    ["gRPC 7", grpc(7, "PERMISSION_DENIED", "denied"), "auth"],
    ["socket reset", { code: "ECONNRESET", message: "socket hang up" }, "unreachable"],
    ["refused", { code: "ECONNREFUSED", message: "connect ECONNREFUSED" }, "unreachable"],
    [
      "REST refused (GaxiosError)",
      {
        name: "GaxiosError",
        code: "ECONNREFUSED",
        message: "request to http://x failed, reason: connect ECONNREFUSED",
      },
      "unreachable",
    ],
    ["DNS", { code: "EAI_AGAIN", message: "getaddrinfo EAI_AGAIN" }, "unreachable"],
    ["timeout", { name: "TimeoutError", message: "timed out" }, "unavailable"],
    ["typed error", new ClassifierError("too_short", "x"), "too_short"],
    ["unknown error", new Error("something odd"), null],
    ["not an object", "boom", null],
  ] as const)("%s -> %s", (_name, err, kind) => {
    expect(classifyGoogleError(err)).toBe(kind);
  });
});

describe("refusedLanguage", () => {
  it.each([
    [
      {
        code: 3,
        message: "3 INVALID_ARGUMENT: The language ja is not supported for classify_text analysis.",
      },
      "ja",
    ],
    [
      {
        code: 400,
        message:
          '{"error":{"code":400,"message":"The language zh-Hant is not supported for classify_text analysis.","status":"INVALID_ARGUMENT"}}',
      },
      "zh-Hant",
    ],
    [{ code: 3, message: "Invalid text content: too few tokens (words) to process." }, null],
    ["not an error", null],
    [null, null],
  ])("%j -> %s", (err, language) => {
    expect(refusedLanguage(err)).toBe(language);
  });
});
