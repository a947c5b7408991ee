import type { Readable } from "node:stream";
import { parse as parseCsv } from "csv-parse";
import { AppError } from "../platform/errors";
import type { BadReason } from "./fields";
import { type Format, sniffFormat } from "./source";
import { JsonArraySplitter, LineSplitter, type Piece } from "./splitters";

export type RecordEvent =
  | { kind: "record"; value: unknown; index: number; endOffset: number | undefined }
  | {
      kind: "bad";
      index: number;
      line?: number;
      reason: BadReason | "invalid_csv";
      endOffset: number | undefined;
    };

export interface RecordOptions {
  format: Format | "auto";
  /** The input's name, for sniffing (`-` for stdin). */
  name: string;
  maxRecordBytes: number;
  /** Records already handled (resume by skipping): they are read but not parsed. */
  skip: number;
  /** Resume by seeking (plain NDJSON): the stream starts here, after record `skip`. */
  seek?: { offset: number; index: number } | undefined;
  /** Told the format once it is known (sniffed from the name or the first bytes). */
  onFormat?: (format: Format) => void;
}

/**
 * Records of an NDJSON, JSON-array or CSV stream, with bounded memory, in batches (one per input
 * chunk): one await per 256 KiB instead of one per line keeps a million-line file fast.
 */
export async function* readRecords(stream: Readable, o: RecordOptions): AsyncGenerator<RecordEvent[]> {
  const chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const first = await chunks.next().catch((err: Error) => {
    throw new AppError("INPUT_UNREADABLE", `cannot read the input: ${err.message}`);
  });
  const head = first.done ? Buffer.alloc(0) : first.value;
  const format = o.format === "auto" ? sniffFormat(o.name, head) : o.format;
  o.onFormat?.(format);
  async function* all(): AsyncGenerator<Buffer> {
    if (!first.done) yield first.value;
    for (;;) {
      const r = await chunks.next();
      if (r.done) return;
      yield r.value;
    }
  }
  if (format === "csv") yield* csvRecords(all(), o);
  else yield* jsonRecords(all(), format, o);
}

async function* jsonRecords(
  input: AsyncGenerator<Buffer>,
  format: "ndjson" | "json",
  o: RecordOptions,
): AsyncGenerator<RecordEvent[]> {
  const splitter =
    format === "ndjson"
      ? new LineSplitter(o.maxRecordBytes, o.seek)
      : new JsonArraySplitter(o.maxRecordBytes);
  type Out = Piece | { kind: "malformed"; reason: string };
  const handle = (pieces: Iterable<Out>): RecordEvent[] => {
    const batch: RecordEvent[] = [];
    for (const p of pieces) {
      if (p.kind === "malformed") throw new AppError("INPUT_UNREADABLE", p.reason);
      if (p.index <= o.skip) continue;
      if (p.kind === "too_long") {
        batch.push({ kind: "bad", index: p.index, reason: "too_long", endOffset: off(p.endOffset) });
        continue;
      }
      let value: unknown;
      try {
        value = JSON.parse(p.bytes.toString("utf8"));
      } catch {
        batch.push({ kind: "bad", index: p.index, reason: "invalid_json", endOffset: off(p.endOffset) });
        continue;
      }
      batch.push({ kind: "record", value, index: p.index, endOffset: off(p.endOffset) });
    }
    return batch;
  };
  // byte offsets are only meaningful for resuming plain NDJSON by seeking
  const off = (n: number) => (format === "ndjson" ? n : undefined);
  try {
    for await (const chunk of input) yield handle(splitter.push(chunk));
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError("INPUT_UNREADABLE", `cannot read the input: ${(err as Error).message}`);
  }
  yield handle(splitter.end());
}

// CSV records are numbered in the order they are met (data records, header excluded), bad ones
// included, so numbering is stable across a resume; a bad record reports its file line.
async function* csvRecords(input: AsyncGenerator<Buffer>, o: RecordOptions): AsyncGenerator<RecordEvent[]> {
  const bad: { line: number; reason: "invalid_csv" | "too_long" }[] = [];
  const parser = parseCsv({
    columns: true,
    bom: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    max_record_size: o.maxRecordBytes,
  });
  parser.on("skip", (err: { code?: string; lines?: number }) => {
    bad.push({
      line: err.lines ?? 0,
      reason: err.code === "CSV_MAX_RECORD_SIZE" ? "too_long" : "invalid_csv",
    });
  });
  const feed = (async () => {
    try {
      for await (const chunk of input)
        if (!parser.write(chunk)) await new Promise((r) => parser.once("drain", r));
      parser.end();
    } catch (err) {
      parser.destroy(err as Error);
    }
  })();
  let n = 0;
  function* drainBad(): Generator<RecordEvent> {
    while (bad.length > 0) {
      const b = bad.shift() as (typeof bad)[number];
      n += 1;
      if (n > o.skip) yield { kind: "bad", index: n, line: b.line, reason: b.reason, endOffset: undefined };
    }
  }
  try {
    for await (const record of parser as AsyncIterable<Record<string, string>>) {
      const batch = [...drainBad()];
      n += 1;
      if (n > o.skip) batch.push({ kind: "record", value: record, index: n, endOffset: undefined });
      yield batch;
    }
  } catch (err) {
    throw new AppError("INPUT_UNREADABLE", `cannot read the CSV input: ${(err as Error).message}`);
  }
  await feed;
  yield [...drainBad()];
}
