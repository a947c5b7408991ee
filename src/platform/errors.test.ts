import { describe, expect, it } from "vitest";
import { AppError, invalid, isConnectionLost, isDataError } from "./errors";

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

describe("the code table's exit codes", () => {
  it.each([
    ["USAGE", 2],
    ["VALIDATION_FAILED", 2],
    ["NOT_FOUND", 1],
    ["SERVICE_UNAVAILABLE", 1],
    ["INPUT_UNREADABLE", 1],
    ["RUN_REFUSED", 1],
    ["REDIS_VOLATILE", 1],
    ["INTERNAL", 1],
  ] as const)("%s exits %i", (code, exit) => {
    expect(new AppError(code).exitCode).toBe(exit);
  });
});

describe("invalid: schema issues as one error listing each field", () => {
  const issue = (path: PropertyKey[], message = "bad") => ({ path, message });
  it.each([
    [
      "one field, by dotted path",
      "VALIDATION_FAILED",
      [issue(["prompts", 3, "model"])],
      {},
      "prompts.3.model: bad",
      ["prompts.3.model"],
    ],
    ["the whole value", "VALIDATION_FAILED", [issue([])], {}, "(body): bad", ["(body)"]],
    [
      "several: the first, and how many more",
      "VALIDATION_FAILED",
      [issue(["a"]), issue(["b"]), issue(["c"])],
      {},
      "a: bad (and 2 more)",
      ["a", "b", "c"],
    ],
    [
      "command-line options named as flags",
      "USAGE",
      [issue(["port"], "too big")],
      { name: (p: string) => `--${p}` },
      "--port: too big",
      ["--port"],
    ],
    ["no issue at all: the code's title", "USAGE", [], {}, "Bad command-line usage", []],
  ] as const)("%s", (_name, code, issues, o, detail, paths) => {
    const err = invalid(code, issues, { whole: "(body)", ...o });
    expect(err.code).toBe(code);
    expect(err.message).toBe(detail);
    expect(err.errors?.map((e) => e.path)).toEqual(paths);
  });

  it("keeps at most 100 fields", () => {
    const many = Array.from({ length: 150 }, (_, i) => issue([i]));
    const err = invalid("VALIDATION_FAILED", many, { whole: "(body)" });
    expect(err.errors).toHaveLength(100);
    expect(err.message).toBe("0: bad (and 149 more)");
  });
});
