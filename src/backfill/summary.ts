import type { BackfillResult } from "./run";
import type { CheckResult } from "./verify";

// What `census backfill` prints: JSON lines when piped (logs, CI), readable lines on a terminal.

/** `--verify`'s result. */
export function printVerify(r: CheckResult, tty: boolean) {
  if (!tty) return console.log(JSON.stringify({ event: "verify", ...r }));
  console.log(`verify ${r.runId}: ${r.status}`);
  console.log(
    `  read ${r.read}, sampled ${r.sampled}: ${r.present} stored or queued, ${r.missing} missing, ${r.requeued} queued again`,
  );
}

export function printSummary(r: BackfillResult, tty: boolean) {
  if (!tty) {
    console.log(
      JSON.stringify({
        event: "summary",
        runId: r.runId ?? null,
        status: r.status,
        ...r.counters,
        seconds: r.seconds,
        badLines: r.badLines.slice(0, 100),
        ...(r.error ? { error: r.error } : {}),
        ...(r.missing !== undefined ? { missing: r.missing } : {}),
        ...(r.unchecked ? { unchecked: r.unchecked } : {}),
      }),
    );
  } else {
    const c = r.counters;
    console.log(`backfill ${r.runId ?? "(dry run)"}: ${r.status}`);
    console.log(
      `  read ${c.read}, sampled ${c.sampled}, queued ${c.enqueued}, duplicates ${c.duplicates}, skipped ${c.skipped}, filtered ${c.filtered}, bad ${c.bad}`,
    );
    if (r.badLines.length > 0) {
      const byReason = new Map<string, number[]>();
      for (const b of r.badLines) byReason.set(b.reason, [...(byReason.get(b.reason) ?? []), b.line]);
      for (const [reason, lines] of byReason) {
        console.log(
          `  bad (${reason}): line ${lines.slice(0, 20).join(", ")}${lines.length > 20 ? ", ..." : ""}`,
        );
      }
    }
    if (r.error) console.log(`  stopped: ${r.error}`);
    if (r.missing !== undefined) {
      console.log(`  missing ${r.missing}: sampled records of this run with neither an event nor a job`);
    }
  }
  if (r.runId && r.status === "incomplete") {
    console.error(
      `${r.missing} sampled records of this run never became events (Redis lost their jobs?). Re-queue them with: npx census backfill --verify ${r.runId}`,
    );
  }
  if (r.runId && r.unchecked === "stdin") {
    console.error(
      `missing events not counted: the input was stdin. Pipe it again to count and re-queue them: ... | npx census backfill - --verify ${r.runId}`,
    );
  }
  if (r.runId && (r.status === "interrupted" || r.status === "failed")) {
    console.error(`resume with: npx census backfill --resume ${r.runId}`);
  }
}
