import { describe, expect, it } from "vitest";
import { parseSentinels, urlOptions } from "./redis";

describe("parseSentinels", () => {
  it.each([
    ["s1:26379", [{ host: "s1", port: 26379 }]],
    [
      "10.0.0.1:26379,10.0.0.2:26380",
      [
        { host: "10.0.0.1", port: 26379 },
        { host: "10.0.0.2", port: 26380 },
      ],
    ],
  ])("%s", (list, sentinels) => {
    expect(parseSentinels(list)).toEqual(sentinels);
  });
});

describe("urlOptions: what every Cluster node and Sentinel-found master shares", () => {
  it.each([
    ["redis://127.0.0.1:6379", {}],
    ["redis://:s%40cret@r:6379/2", { password: "s@cret", db: 2 }],
    ["redis://census:pw@r:6379", { username: "census", password: "pw" }],
    ["rediss://r:6380", { tls: {} }],
    ["rediss://r:6380/0", { tls: {} }],
  ])("%s", (url, options) => {
    expect(urlOptions(url)).toEqual(options);
  });

  it("trusts the extra CA for rediss:// only", () => {
    expect(urlOptions("rediss://r:6380", "PEM")).toEqual({ tls: { ca: "PEM" } });
    expect(urlOptions("redis://r:6379", "PEM")).toEqual({});
  });
});
