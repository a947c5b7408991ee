import { describe, expect, it } from "vitest";
import { AppError } from "../platform/errors";
import { readJsonBody } from "./body";

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
