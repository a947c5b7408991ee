import { describe, expect, it } from "vitest";
import { AppError, isConnectionLost, isDataError } from "./errors";

const withCode = (code: string, message = "x") => Object.assign(new Error(message), { code });

describe("isConnectionLost", () => {
  it.each([
    ["socket refused", withCode("ECONNREFUSED"), true],
    ["socket reset", withCode("ECONNRESET"), true],
    ["dns", withCode("EAI_AGAIN"), true],
    ["undici socket", withCode("UND_ERR_SOCKET"), true],
    ["pg admin shutdown", withCode("57P01"), true],
    ["pg cannot connect now (starting up)", withCode("57P03"), true],
    ["pg connection exception class", withCode("08006"), true],
    ["pg too many connections", withCode("53300"), true],
    ["pg pool connect timeout", new Error("timeout exceeded when trying to connect"), true],
    ["pg connection terminated", new Error("Connection terminated unexpectedly"), true],
    ["ioredis closed", new Error("Connection is closed."), true],
    [
      "ioredis offline queue off",
      new Error("Stream isn't writeable and enableOfflineQueue options is false"),
      true,
    ],
    ["AggregateError of refusals", Object.assign(new AggregateError([withCode("ECONNREFUSED")]), {}), true],
    ["wrapped in a cause", new Error("outer", { cause: withCode("ECONNRESET") }), true],
    ["pg numeric overflow", withCode("22003"), false],
    ["pg syntax error", withCode("42601"), false],
    ["pg statement timeout", withCode("57014"), false],
    ["plain error", new Error("boom"), false],
    ["not an object", "ECONNREFUSED", false],
    ["null", null, false],
  ])("%s -> %s", (_name, err, expected) => {
    expect(isConnectionLost(err)).toBe(expected);
  });
});

describe("isDataError", () => {
  it.each([
    ["integer out of range", "22003", true],
    ["invalid byte sequence (NUL)", "22021", true],
    ["datetime field overflow", "22008", true],
    ["check violation", "23514", true],
    ["not null violation", "23502", true],
    ["index row too big", "54000", true],
    ["connection failure", "08006", false],
    ["undefined table", "42P01", false],
    ["socket code", "ECONNRESET", false],
  ])("%s (%s) -> %s", (_name, code, expected) => {
    expect(isDataError(withCode(code))).toBe(expected);
  });
});

describe("AppError", () => {
  it.each([
    ["VALIDATION_FAILED", 400, false],
    ["SERVICE_UNAVAILABLE", 503, true],
    ["CLIENT_CLOSED_REQUEST", 499, true],
    ["DATA_REJECTED", 500, false],
    ["JOB_INVALID", 500, false],
  ] as const)("%s is %i, retryable %s", (code, status, retryable) => {
    const err = new AppError(code);
    expect(err.status).toBe(status);
    expect(err.retryable).toBe(retryable);
  });
});
