import { describe, expect, it } from "vitest";
import { allowedMethods } from "./methods";

const routes = [
  { method: "ALL", path: "*" },
  { method: "ALL", path: "/v1/stats/*" },
  { method: "POST", path: "/v1/prompts" },
  { method: "GET", path: "/v1/stats/categories" },
  { method: "GET", path: "/docs/assets/:file" },
  { method: "GET", path: "/openapi.json" },
];

describe("allowedMethods", () => {
  it.each([
    ["/v1/prompts", ["OPTIONS", "POST"]],
    ["/v1/prompts/", ["OPTIONS", "POST"]],
    ["/v1/stats/categories", ["GET", "HEAD", "OPTIONS"]],
    ["/docs/assets/swagger-ui.css", ["GET", "HEAD", "OPTIONS"]],
    ["/docs/assets/a/b", []],
    ["/openapi.json", ["GET", "HEAD", "OPTIONS"]],
    ["/openapiXjson", []],
    ["/v1/stats/nope", []],
    ["/nowhere", []],
  ])("%s -> %j", (path, methods) => {
    expect(allowedMethods(routes, path)).toEqual(methods);
  });
});
