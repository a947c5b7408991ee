import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { encodingOf, MAX_BODY_BYTES, MAX_DECODED_BYTES, readExport } from "./body";
import { encodeProtobufRequest } from "./protobuf";

type Body = string | Uint8Array;

const EXPORT = {
  resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: "ab", spanId: "cd", name: "s" }] }] }],
};
const post = (body: Body, headers: Record<string, string>) =>
  new Request("http://x/v1/traces", { method: "POST", body, headers });
const code = (p: Promise<unknown>) =>
  p.then(
    () => "ok",
    (e: { code?: string }) => e.code,
  );

describe("encodingOf", () => {
  it.each([
    ["application/json", "json"],
    ["application/json; charset=utf-8", "json"],
    ["Application/X-Protobuf", "protobuf"],
    ["application/protobuf", "protobuf"],
    ["text/plain", undefined],
    ["application/jsonx", undefined],
    ["", undefined],
  ])("%s -> %s", (type, encoding) => {
    expect(encodingOf(type)).toBe(encoding);
  });
});

describe("readExport", () => {
  it("reads JSON and protobuf, gzip or not, into one shape", async () => {
    const json = JSON.stringify(EXPORT);
    const proto = encodeProtobufRequest(EXPORT);
    const bodies: [Body, Record<string, string>][] = [
      [json, { "content-type": "application/json" }],
      [gzipSync(json), { "content-type": "application/json", "content-encoding": "gzip" }],
      [proto, { "content-type": "application/x-protobuf" }],
      [gzipSync(proto), { "content-type": "application/x-protobuf", "content-encoding": "gzip" }],
    ];
    for (const [body, headers] of bodies) {
      const { request } = await readExport(post(body, headers));
      expect(request.resourceSpans?.[0]?.scopeSpans?.[0]?.spans?.[0]).toMatchObject({
        traceId: "ab",
        spanId: "cd",
      });
    }
  });

  it("takes an empty body as an empty export", async () => {
    expect((await readExport(post("", { "content-type": "application/json" }))).request).toEqual({});
    expect((await readExport(post("", { "content-type": "application/x-protobuf" }))).request).toEqual({});
  });

  it.each<[string, Body, Record<string, string>, string]>([
    ["another type", "{}", { "content-type": "text/plain" }, "UNSUPPORTED_MEDIA_TYPE"],
    [
      "another coding",
      "{}",
      { "content-type": "application/json", "content-encoding": "br" },
      "UNSUPPORTED_MEDIA_TYPE",
    ],
    ["not gzip", "{}", { "content-type": "application/json", "content-encoding": "gzip" }, "BAD_REQUEST"],
    ["not JSON", "{", { "content-type": "application/json" }, "MALFORMED_JSON"],
    ["not an export", '{"resourceSpans":{}}', { "content-type": "application/json" }, "VALIDATION_FAILED"],
    [
      "ids that are not hex",
      '{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"zz"}]}]}]}',
      { "content-type": "application/json" },
      "VALIDATION_FAILED",
    ],
    [
      "not protobuf",
      new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0x0f]),
      { "content-type": "application/x-protobuf" },
      "BAD_REQUEST",
    ],
    [
      "too large",
      "x",
      { "content-type": "application/json", "content-length": String(MAX_BODY_BYTES + 1) },
      "PAYLOAD_TOO_LARGE",
    ],
  ])("refuses %s", async (_name, body, headers, expected) => {
    expect(await code(readExport(post(body, headers)))).toBe(expected);
  });

  it("stops a gzip bomb at MAX_DECODED_BYTES", async () => {
    const bomb = gzipSync(Buffer.alloc(MAX_DECODED_BYTES + 1, 0x20));
    expect(bomb.length).toBeLessThan(MAX_BODY_BYTES);
    const headers = { "content-type": "application/json", "content-encoding": "gzip" };
    expect(await code(readExport(post(bomb, headers)))).toBe("PAYLOAD_TOO_LARGE");
  });
});
