import { promisify } from "node:util";
import { gunzip } from "node:zlib";
import { parseJsonBytes, readBodyBytes } from "../http/body";
import { parseOrThrow } from "../http/validate";
import { AppError } from "../platform/errors";
import { decodeProtobufRequest } from "./protobuf";
import { type ExportTraceRequest, exportTraceRequestSchema } from "./schema";

/** Bytes on the wire, as POST /v1/prompts allows. */
export const MAX_BODY_BYTES = 5 * 1024 * 1024;
/** Bytes once gunzipped: spans' JSON compresses ~10x, and a gzip bomb stops here. */
export const MAX_DECODED_BYTES = 20 * 1024 * 1024;

const gunzipAsync = promisify(gunzip);

export type Encoding = "json" | "protobuf";

/** Pure: the OTLP/HTTP encoding a Content-Type names, or undefined for any other type. */
export function encodingOf(contentType: string): Encoding | undefined {
  const type = (contentType.split(";")[0] ?? "").trim().toLowerCase();
  if (type === "application/json") return "json";
  if (type === "application/x-protobuf" || type === "application/protobuf") return "protobuf";
  return undefined;
}

async function inflate(bytes: Uint8Array, contentEncoding: string): Promise<Uint8Array> {
  const coding = contentEncoding.trim().toLowerCase();
  if (coding === "" || coding === "identity") return bytes;
  if (coding !== "gzip" && coding !== "x-gzip") {
    throw new AppError("UNSUPPORTED_MEDIA_TYPE", "Content-Encoding must be gzip or none.");
  }
  try {
    return await gunzipAsync(bytes, { maxOutputLength: MAX_DECODED_BYTES });
  } catch (err) {
    if ((err as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") {
      throw new AppError("PAYLOAD_TOO_LARGE", `The body exceeds ${MAX_DECODED_BYTES} bytes once gunzipped.`);
    }
    throw new AppError("BAD_REQUEST", "The body is not valid gzip.");
  }
}

/**
 * Reads an OTLP/HTTP trace export: JSON or protobuf, gzip or not, at most MAX_BODY_BYTES on the
 * wire. Whole-request faults are problems (415 type or coding, 413 size, 400 undecodable); the
 * spans come back in one shape whichever the encoding.
 */
export async function readExport(req: Request): Promise<{ encoding: Encoding; request: ExportTraceRequest }> {
  const encoding = encodingOf(req.headers.get("content-type") ?? "");
  if (!encoding) {
    throw new AppError(
      "UNSUPPORTED_MEDIA_TYPE",
      "Send an OTLP/HTTP export with 'Content-Type: application/x-protobuf' or 'application/json'.",
    );
  }
  const contentEncoding = req.headers.get("content-encoding") ?? "";
  const bytes = await inflate(await readBodyBytes(req, MAX_BODY_BYTES), contentEncoding);
  if (encoding === "json") {
    // An empty body is an empty export (OpenRouter's connection test sends one).
    const body = bytes.length === 0 ? {} : await parseJsonBytes(bytes);
    return { encoding, request: parseOrThrow(exportTraceRequestSchema, body) };
  }
  let decoded: unknown;
  try {
    decoded = decodeProtobufRequest(bytes);
  } catch {
    throw new AppError("BAD_REQUEST", "The body is not an OTLP ExportTraceServiceRequest in protobuf.");
  }
  return { encoding, request: parseOrThrow(exportTraceRequestSchema, decoded) };
}
