import { SingleBar } from "cli-progress";
import type { Counters } from "./runs";

export interface Progress {
  update(c: Counters, bytesRead: number, note?: string): void;
  stop(): void;
}

const rate = (n: number, ms: number) => (ms > 0 ? Math.round((n * 1000) / ms) : 0);

/** A bar on a terminal; one JSON line every few seconds otherwise (logs, CI, pipes). */
export function createProgress(o: {
  tty: boolean;
  totalBytes: number | undefined;
  out?: NodeJS.WritableStream;
  everyMs?: number;
}): Progress {
  const started = Date.now();
  const out = o.out ?? process.stderr;
  if (o.tty) {
    const bar = new SingleBar({
      format:
        "{bar} {percentage}% | {read} read | {sampled} sampled | {enqueued} queued | {skipped} skipped | {bad} bad | {rate}/s | ETA {eta_formatted} {note}",
      hideCursor: true,
      stream: out as NodeJS.WriteStream,
      etaBuffer: 50,
    });
    bar.start(o.totalBytes ?? 0, 0, {
      read: 0,
      sampled: 0,
      enqueued: 0,
      skipped: 0,
      bad: 0,
      rate: 0,
      note: "",
    });
    return {
      update(c, bytes, note = "") {
        bar.update(bytes, { ...c, rate: rate(c.read, Date.now() - started), note });
      },
      stop() {
        bar.stop();
      },
    };
  }
  let last = 0;
  const every = o.everyMs ?? 5000;
  return {
    update(c, bytes, note) {
      const now = Date.now();
      if (now - last < every) return;
      last = now;
      const fraction = o.totalBytes ? bytes / o.totalBytes : undefined;
      const elapsed = now - started;
      out.write(
        `${JSON.stringify({
          event: "progress",
          ...c,
          bytes,
          percent: fraction === undefined ? null : Math.round(fraction * 1000) / 10,
          linesPerSecond: rate(c.read, elapsed),
          etaSeconds:
            fraction && fraction > 0 ? Math.round((elapsed * (1 - fraction)) / fraction / 1000) : null,
          ...(note ? { note } : {}),
        })}\n`,
      );
    },
    stop() {},
  };
}
