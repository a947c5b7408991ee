import type { IncomingMessage } from "node:http";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { AppError } from "../platform/errors";
import { readBodyBytes, readJsonBody } from "./body";

// Bodies over 512 KB are decoded in slices (the event loop gets turns between them): a
// character split by a slice's edge still decodes, and a bad byte anywhere is still refused.

const MB = 1024 * 1024;

function request(bytes: Uint8Array) {
  return new Request("http://127.0.0.1/v1/prompts", {
    method: "POST",
    headers: { "content-type": "application/json", "content-length": String(bytes.length) },
    body: bytes,
  });
}

/** A JSON string body of `size` bytes or more, of 1- to 4-byte characters. */
function body(size: number) {
  const text = "aé€😀".repeat(Math.ceil(size / 10));
  return { text, bytes: new Uint8Array(Buffer.from(JSON.stringify({ text }))) };
}

describe("readJsonBody, in slices", () => {
  it.each([MB / 2, (5 * MB) / 2, 5 * MB - 100_000])(
    "%d bytes of characters of every UTF-8 length",
    async (size) => {
      const { text, bytes } = body(size);
      // each slice's edge falls inside a character somewhere: 512 KB is not a multiple of 10
      expect(await readJsonBody(request(bytes), 5 * MB)).toEqual({ text });
    },
  );

  it.each([
    ["in the first slice", 10],
    ["past the first megabyte", MB + 7],
    ["in the last byte before the closing brace", -3],
  ])("a byte that is not UTF-8 %s is refused as MALFORMED_JSON", async (_name, at) => {
    const { bytes } = body(2.5 * MB);
    bytes[at < 0 ? bytes.length + at : at] = 0xff;
    const err = await readJsonBody(request(bytes), 5 * MB).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: "MALFORMED_JSON" });
  });
});

// Under @hono/node-server the body is read off the Node request itself (no copy): what arrives,
// and what a client that hangs up leaves behind.
describe("readBodyBytes off a Node request", () => {
  const declared = (n: number) =>
    new Request("http://127.0.0.1/v1/prompts", {
      method: "POST",
      headers: { "content-type": "application/json", "content-length": String(n) },
    });

  /** A stand-in for the parser's IncomingMessage: these chunks, then the end or a hang-up. */
  function incoming(chunks: string[], o: { complete: boolean; end: boolean }) {
    const stream = new Readable({ read() {} }) as Readable & { complete: boolean };
    for (const c of chunks) stream.push(Buffer.from(c));
    if (o.end) stream.push(null);
    stream.complete = o.complete;
    return stream as unknown as IncomingMessage & Readable;
  }

  it("reads a body that came in pieces", async () => {
    const req = incoming(['{"a":', "1}"], { complete: true, end: true });
    expect(Buffer.from(await readBodyBytes(declared(7), MB, req)).toString()).toBe('{"a":1}');
  });

  it.each([
    ["whole, then the client hung up: taken", { complete: true, end: false }, '{"a":1}', 7, "taken"],
    ["cut short, the client gone: 499", { complete: false, end: false }, '{"a":', 7, "CLIENT_CLOSED_REQUEST"],
    ["shorter than declared: 499", { complete: true, end: false }, '{"a":', 7, "CLIENT_CLOSED_REQUEST"],
  ] as const)("a body %s", async (_name, state, sent, length, outcome) => {
    const req = incoming([sent], state);
    const read = readBodyBytes(declared(length), MB, req);
    req.destroy(); // the connection closes before the reader saw an end
    const got = await read.then(
      (bytes) => (Buffer.from(bytes).toString() === sent ? "taken" : "wrong bytes"),
      (err: unknown) => (err instanceof AppError ? err.code : String(err)),
    );
    expect(got).toBe(outcome);
  });
});
