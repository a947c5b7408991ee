// Byte-level splitters with a hard cap on record size: a 10 GB file, or a 2 GB line with no
// newline, never needs more than `maxBytes` of memory. Pure state machines, fed chunk by chunk.

export type Piece =
  | { kind: "record"; bytes: Buffer; index: number; endOffset: number }
  | { kind: "too_long"; index: number; endOffset: number };

/** NDJSON: one record per line (LF or CRLF); blank lines are skipped but counted. */
export class LineSplitter {
  private parts: Buffer[] = [];
  private size = 0;
  private overflow = false;
  private offset: number;
  private line: number;

  constructor(
    private readonly maxBytes: number,
    start = { offset: 0, index: 0 },
  ) {
    this.offset = start.offset;
    this.line = start.index;
  }

  // Arrays rather than generators: one generator step per line cost a tenth of a backfill's speed.
  push(chunk: Buffer): Piece[] {
    const out: Piece[] = [];
    let from = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, from);
      const end = nl === -1 ? chunk.length : nl;
      this.take(chunk.subarray(from, end));
      if (nl === -1) {
        this.offset += chunk.length - from;
        this.settle();
        return out;
      }
      this.offset += nl + 1 - from;
      from = nl + 1;
      this.emit(out);
    }
  }

  /** The last line when the input does not end with a newline. */
  end(): Piece[] {
    const out: Piece[] = [];
    if (this.size > 0 || this.overflow) this.emit(out);
    return out;
  }

  private take(part: Buffer) {
    if (this.overflow || part.length === 0) return;
    if (this.size + part.length > this.maxBytes) {
      this.overflow = true;
      this.parts = [];
      this.size = 0;
      return;
    }
    this.parts.push(part);
    this.size += part.length;
  }

  /** Parts kept across a chunk boundary must not alias a buffer the stream may reuse. */
  private settle() {
    this.parts = this.parts.map((p) => Buffer.from(p));
  }

  private emit(out: Piece[]): void {
    this.line += 1;
    const overflow = this.overflow;
    let bytes = this.parts.length === 1 ? (this.parts[0] as Buffer) : Buffer.concat(this.parts);
    this.parts = [];
    this.size = 0;
    this.overflow = false;
    if (overflow) {
      out.push({ kind: "too_long", index: this.line, endOffset: this.offset });
      return;
    }
    if (bytes.length > 0 && bytes[bytes.length - 1] === 0x0d) bytes = bytes.subarray(0, bytes.length - 1);
    if (bytes.length === 0 || isBlank(bytes)) return;
    // No copy: callers parse a record before pushing the next chunk (parts of a line that spans
    // chunks were copied when taken).
    out.push({ kind: "record", bytes, index: this.line, endOffset: this.offset });
  }
}

function isBlank(b: Buffer): boolean {
  for (const c of b) if (c !== 0x20 && c !== 0x09 && c !== 0x0d) return false;
  return true;
}

/**
 * A top-level JSON array, element by element, without parsing the whole document: tracks
 * strings, escapes and nesting depth; an element is the bytes between commas at depth 1.
 */
export class JsonArraySplitter {
  private state: "before" | "in" | "after" = "before";
  private depth = 0;
  private inString = false;
  private escaped = false;
  private parts: Buffer[] = [];
  private size = 0;
  private overflow = false;
  private element = 0;
  private offset = 0;
  private started = false;

  constructor(private readonly maxBytes: number) {}

  *push(chunk: Buffer): Generator<Piece | { kind: "malformed"; reason: string }> {
    let segStart = -1;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i] as number;
      if (this.state === "before") {
        if (c === 0x5b) this.state = "in";
        else if (!isSpace(c)) {
          yield { kind: "malformed", reason: "input is not a JSON array" };
          return;
        }
        continue;
      }
      if (this.state === "after") continue;
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === 0x5c) this.escaped = true;
        else if (c === 0x22) this.inString = false;
        continue;
      }
      if (this.depth === 0 && (c === 0x2c || c === 0x5d)) {
        // element boundary
        if (segStart !== -1) this.take(chunk.subarray(segStart, i));
        segStart = -1;
        const piece = this.finish(this.offset + i + 1);
        if (piece) yield piece;
        if (c === 0x5d) this.state = "after";
        continue;
      }
      if (segStart === -1) segStart = i;
      if (c === 0x22) this.inString = true;
      else if (c === 0x7b || c === 0x5b) this.depth++;
      else if (c === 0x7d || c === 0x5d) this.depth--;
      if (!isSpace(c)) this.started = true;
    }
    if (segStart !== -1) this.take(chunk.subarray(segStart));
    this.offset += chunk.length;
  }

  *end(): Generator<Piece | { kind: "malformed"; reason: string }> {
    if (this.state !== "after") yield { kind: "malformed", reason: "JSON array is not closed" };
  }

  private take(part: Buffer) {
    if (this.overflow) return;
    if (this.size + part.length > this.maxBytes) {
      this.overflow = true;
      this.parts = [];
      this.size = 0;
      return;
    }
    this.parts.push(Buffer.from(part));
    this.size += part.length;
  }

  private finish(endOffset: number): Piece | undefined {
    const overflow = this.overflow;
    const started = this.started;
    const bytes = Buffer.concat(this.parts);
    this.parts = [];
    this.size = 0;
    this.overflow = false;
    this.started = false;
    this.depth = 0;
    if (!started && !overflow) return undefined; // `[]` or a trailing comma
    this.element += 1;
    if (overflow) return { kind: "too_long", index: this.element, endOffset };
    return { kind: "record", bytes, index: this.element, endOffset };
  }
}

function isSpace(c: number) {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}
