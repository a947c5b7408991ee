import { describe, expect, it } from "vitest";
import { redactUrl } from "./redact-url";

describe("redactUrl", () => {
  it.each([
    ["no secret", "postgres://postgres@127.0.0.1:5432/census", "postgres://postgres@127.0.0.1:5432/census"],
    ["password in the authority", "postgres://u:hunter2@db:5432/census", "postgres://u:***@db:5432/census"],
    [
      "password as a query value",
      "postgres://u@db/census?password=hunter2",
      "postgres://u@db/census?password=***",
    ],
    [
      "sslpassword and sslkey",
      "postgres://db/c?sslmode=verify-full&sslpassword=s3&sslkey=/k.pem",
      "postgres://db/c?sslmode=verify-full&sslpassword=***&sslkey=***",
    ],
    ["redis password", "redis://:s3cret@cache:6379/0", "redis://:***@cache:6379/0"],
    ["unknown parameters are masked", "redis://cache:6379?token=abc", "redis://cache:6379?token=***"],
    ["unparsable", "not a url hunter2", "(unparsable URL)"],
  ])("%s", (_name, url, out) => {
    expect(redactUrl(url)).toBe(out);
    expect(redactUrl(url)).not.toMatch(/hunter2|s3cret|s3\b|abc/);
  });
});
