import { describe, expect, it } from "vitest";
import { cliProblem } from "./cli-error";
import { AppError } from "./errors";
import { problemBody } from "./problem";

const withCode = (code: string, message = "x") => Object.assign(new Error(message), { code });

describe("problemBody: what a client may read", () => {
  it.each([
    ["a 4xx keeps its detail", new AppError("NOT_FOUND", "no such run"), 404, "no such run"],
    [
      "INTERNAL: a fixed line",
      new AppError("INTERNAL", "at db.ts:12"),
      500,
      "An unexpected error occurred; it has been logged.",
    ],
    [
      "a 503: its title, never the host it names",
      new AppError("SERVICE_UNAVAILABLE", "127.0.0.1:5432 refused"),
      503,
      "A backing service is unavailable",
    ],
    [
      "a worker-side 500: its title",
      new AppError("DATA_REJECTED", "value 'secret' too long"),
      500,
      "Postgres refused the event's data",
    ],
    [
      "a 503 of Redis: its title",
      new AppError("REDIS_UNAVAILABLE", "redis://:pw@host"),
      503,
      "Redis is unavailable",
    ],
  ])("%s", (_name, err, status, detail) => {
    const body = problemBody(err, "req_1");
    expect(body).toMatchObject({ status, detail, code: err.code, requestId: "req_1" });
  });
});

describe("cliProblem: one line and an exit code, from the same table", () => {
  it.each([
    ["usage", new AppError("USAGE", "give a file"), "USAGE: give a file", 2],
    [
      "a 503 keeps its message: the operator runs the process",
      new AppError("SERVICE_UNAVAILABLE", "DATABASE_URL points to x"),
      "SERVICE_UNAVAILABLE: DATABASE_URL points to x",
      1,
    ],
    [
      "a lost connection, thrown raw",
      withCode("ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:1"),
      "SERVICE_UNAVAILABLE: connect ECONNREFUSED 127.0.0.1:1",
      1,
    ],
    [
      "a statement timeout",
      withCode("57014", "canceling statement"),
      "QUERY_TIMEOUT: canceling statement",
      1,
    ],
    ["any other Error", new Error("boom"), "INTERNAL: boom", 1],
    ["not an Error", "boom", "INTERNAL: Internal error", 1],
    [
      "a refused Redis",
      new AppError("REDIS_VOLATILE", "Refusing to start: ..."),
      "REDIS_VOLATILE: Refusing to start: ...",
      1,
    ],
  ])("%s", (_name, err, line, exitCode) => {
    expect(cliProblem(err)).toEqual({ line, exitCode });
  });
});
