import type { IncomingMessage } from "node:http";
import { setImmediate } from "node:timers/promises";
import { AppError } from "../platform/errors";

/**
 * Reads a JSON body with a hard byte cap. A declared Content-Length over the cap is refused before
 * reading; a chunked body is counted as it streams and cut off at the cap. (Hono's bodyLimit()
 * middleware measured ~4x slower on this path, so the check is hand-rolled.)
 */
export async function readJsonBody(
  req: Request,
  maxBytes: number,
  incoming?: IncomingMessage,
): Promise<unknown> {
  const type = req.headers.get("content-type") ?? "";
  if (!/^application\/([\w.+-]+\+)?json\b/i.test(type)) {
    throw new AppError(
      "UNSUPPORTED_MEDIA_TYPE",
      "Send the body as JSON with 'Content-Type: application/json'.",
    );
  }
  const bytes = await readBodyBytes(req, maxBytes, incoming);
  if (bytes.length === 0) throw new AppError("MALFORMED_JSON", "The request has no body.");
  return parseJsonBytes(bytes);
}

/**
 * A body's bytes with the same cap (an empty array for no body): for bodies that are not JSON
 * (POST /v1/traces takes protobuf and gzip).
 */
export async function readBodyBytes(
  req: Request,
  maxBytes: number,
  incoming?: IncomingMessage,
): Promise<Uint8Array> {
  const declared = Number(req.headers.get("content-length") ?? Number.NaN);
  if (declared > maxBytes) throw tooLarge(maxBytes);
  // With a Content-Length the HTTP parser delivers exactly that many bytes, so the check above is
  // the cap and the runtime's own (fast) reader can be used; only chunked bodies are counted here.
  // `req.body` is touched only for those: on @hono/node-server, reading it builds a web stream
  // over the socket (~0.3 ms a request), where arrayBuffer() reads the socket directly.
  try {
    if (Number.isFinite(declared)) {
      if (incoming && !incoming.readableDidRead && !incoming.destroyed)
        return await readWhole(incoming, declared);
      return new Uint8Array(await req.arrayBuffer());
    }
    return req.body ? await readCapped(req.body, maxBytes) : new Uint8Array(0);
  } catch (err) {
    if (err instanceof AppError) throw err;
    // Reading a body fails only when the client's connection does: it went away mid-body. That
    // is not our outage (no 503, no 5xx alert), and nothing of the request was accepted.
    throw new AppError("CLIENT_CLOSED_REQUEST", "The connection closed before the body arrived.", {
      cause: err,
    });
  }
}

/**
 * Bytes as JSON: strict UTF-8, then JSON.parse, each failure a 400 that quotes nothing. A body
 * over one decode slice gets a turn for the event loop after its parse too (5 MB of JSON parse
 * in tens of ms), so the caller's checks start on a fresh turn; a small one (~50 us) goes on.
 */
export async function parseJsonBytes(bytes: Uint8Array): Promise<unknown> {
  if (bytes.length <= DECODE_SLICE) return parseJson(strict(() => UTF8.decode(bytes)));
  const value = parseJson(await decodeUtf8(bytes));
  await setImmediate();
  return value;
}

/**
 * A Node request's whole body, off the socket: @hono/node-server's arrayBuffer() copies the body
 * into a fresh ArrayBuffer (~50 us for 50 KB, a tenth of an ingest request's CPU). Only with a
 * Content-Length, which the HTTP parser enforces, so no cap is needed here.
 */
function readWhole(incoming: IncomingMessage, declared: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const settle = (err?: Error) => {
      incoming.off("data", onData).off("end", onEnd).off("error", onGone).off("close", onGone);
      if (err) reject(err);
      else resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks));
    };
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      total += chunk.length;
    };
    const onEnd = () => settle();
    const onGone = (err?: Error) => {
      // The whole body arrived, then the client hung up (a router that does not wait for the
      // answer): the parser's bytes are all here, and the batch is taken, as @hono/node-server's
      // own reader takes it. Anything less is a client gone mid-body ('close' may come alone).
      for (let chunk = incoming.read() as Buffer | null; chunk !== null; chunk = incoming.read())
        onData(chunk);
      if (incoming.complete && total === declared) return settle();
      settle(err ?? new Error("the connection closed mid-body"));
    };
    incoming.on("data", onData).on("end", onEnd).on("error", onGone).on("close", onGone);
  });
}

async function readCapped(body: ReadableStream<Uint8Array>, maxBytes: number): Promise<Uint8Array> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/** For one-shot decodes (no stream state survives a call, a failed one included). */
const UTF8 = new TextDecoder("utf-8", { fatal: true });

/** Bytes decoded at once: ~5-15 ms of the event loop for text that is not ASCII. */
const DECODE_SLICE = 512 * 1024;

/**
 * A body over one slice: strict UTF-8, in slices with a turn for the event loop before each, and
 * one more before the JSON.parse that follows (a smaller body is decoded at once): a 5 MB body of
 * non-ASCII text decoded at once held the loop ~60 ms. (Joining the pieces is one block still:
 * where some are ASCII, V8 widens each of their characters, ~40 ms for 5 MB here.)
 */
async function decodeUtf8(bytes: Uint8Array): Promise<string> {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  const pieces: string[] = [];
  for (let at = 0; at < bytes.length; at += DECODE_SLICE) {
    await setImmediate();
    const piece = bytes.subarray(at, at + DECODE_SLICE);
    pieces.push(strict(() => decoder.decode(piece, { stream: at + DECODE_SLICE < bytes.length })));
  }
  const text = pieces.join("");
  await setImmediate();
  return text;
}

function strict(decode: () => string): string {
  try {
    return decode();
  } catch {
    throw new AppError("MALFORMED_JSON", "The body is not valid UTF-8.");
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    // JSON.parse quotes the input in its message; report only where it failed.
    const at = /position (\d+)/.exec(String((err as Error).message))?.[1];
    throw new AppError(
      "MALFORMED_JSON",
      at ? `The body is not valid JSON (error at byte ${at}).` : "The body is not valid JSON.",
    );
  }
}

function tooLarge(maxBytes: number): AppError {
  return new AppError(
    "PAYLOAD_TOO_LARGE",
    `The body exceeds ${maxBytes} bytes; send fewer prompts per request.`,
  );
}
