import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { pipeline, Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { AppError } from "../platform/errors";

export type Format = "ndjson" | "json" | "csv";

export interface OpenedSource {
  /** Decoded bytes (gunzipped when needed). */
  stream: Readable;
  gzip: boolean;
  /** Size on disk, for the ETA; undefined for stdin. */
  totalBytes: number | undefined;
  /** Bytes of the file (compressed, for gzip) read so far. */
  bytesRead(): number;
  /** Fingerprint of what identifies the content: size and a hash of its first 64 KiB. */
  fingerprint: string;
}

const HEAD = 64 * 1024;

/**
 * Opens a file or stdin ("-"), detects gzip by its magic bytes, and for a plain file starts at
 * `startByte` (a gzip stream cannot be entered in the middle: callers skip records instead).
 */
export async function openSource(path: string, startByte = 0): Promise<OpenedSource> {
  const isStdin = path === "-";
  const size = isStdin ? undefined : (await stat(path)).size;
  const raw: Readable = isStdin ? process.stdin : createReadStream(path, { highWaterMark: 256 * 1024 });
  const it = raw[Symbol.asyncIterator]() as AsyncIterator<Buffer>;

  // The first 64 KiB (or all of a smaller input): gzip magic, fingerprint, format sniffing.
  const headParts: Buffer[] = [];
  let headSize = 0;
  let ended = false;
  while (headSize < HEAD) {
    const r = await it.next();
    if (r.done) {
      ended = true;
      break;
    }
    headParts.push(r.value);
    headSize += r.value.length;
  }
  const first = Buffer.concat(headParts);
  const gzip = first.length >= 2 && first[0] === 0x1f && first[1] === 0x8b;
  const fingerprint = createHash("sha256")
    .update(`${size ?? "stdin"}:`)
    .update(first.subarray(0, HEAD))
    .digest("hex");

  let read = first.length;
  async function* rest(): AsyncGenerator<Buffer> {
    yield first;
    if (ended) return;
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      read += r.value.length;
      yield r.value;
    }
  }

  let stream: Readable;
  if (!gzip && startByte > 0 && !isStdin) {
    raw.destroy();
    const from = createReadStream(path, { start: startByte, highWaterMark: 256 * 1024 });
    read = startByte;
    from.on("data", (c) => {
      read += (c as Buffer).length;
    });
    stream = from;
  } else {
    const plain = Readable.from(rest(), { objectMode: false });
    if (gzip) {
      // pipeline, not pipe: a corrupt gzip stream must fail the reader, not crash the process
      const gunzip = createGunzip();
      pipeline(plain, gunzip, () => {});
      stream = gunzip;
    } else stream = plain;
  }
  return {
    stream,
    gzip,
    totalBytes: size,
    bytesRead: () => read,
    fingerprint,
  };
}

/** Format from the name or, failing that, the first non-blank character. */
export function sniffFormat(path: string, head: Buffer): Format {
  const name = path.toLowerCase().replace(/\.gz$/, "");
  if (name.endsWith(".csv")) return "csv";
  if (name.endsWith(".ndjson") || name.endsWith(".jsonl")) return "ndjson";
  const text = head.toString("utf8").trimStart();
  if (text.startsWith("[")) return "json";
  if (text.startsWith("{")) return "ndjson";
  return name.endsWith(".json") ? "json" : "csv";
}

/** openSource, failing as INPUT_UNREADABLE with the file named (and the run whose input it is). */
export function openInput(path: string, startByte = 0, runId?: string): Promise<OpenedSource> {
  return openSource(path, startByte).catch((err: NodeJS.ErrnoException) => {
    const whose = runId ? `, the input of run ${runId}` : "";
    throw new AppError("INPUT_UNREADABLE", `cannot open ${path}${whose}: ${err.code ?? err.message}`);
  });
}
