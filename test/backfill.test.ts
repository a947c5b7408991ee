import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { type BackfillOptions, backfill } from "../src/backfill/run";
import { loadRun } from "../src/backfill/runs";
import { checkRun } from "../src/backfill/verify";
import { eventIdFor, isSampled } from "../src/ingest/sampling";
import { useStackWithGoogle } from "./support/harness";
import { spawnCensus } from "./support/processes";
import { BACKSTOP_MS, waitForCount, waitForProgress } from "./support/progress";
import { createStack, TEST_SECRET, uniqueId, waitFor, withStack } from "./support/stack";
import { TEST_DATABASE_URL, TEST_REDIS_URL } from "./support/urls";

// Backfills on real Redis and Postgres, through the real queue and worker (Google faked by msw).

const ctx = useStackWithGoogle({ env: { SAMPLE_RATE: "0.3" } });
const dir = mkdtempSync(join(tmpdir(), "census-backfill-"));

const options = (input: string, extra: Partial<BackfillOptions> = {}): BackfillOptions => ({
  input,
  format: "auto",
  fields: {},
  dryRun: false,
  chunkSize: 25,
  maxWaiting: 100_000,
  maxRecordBytes: 64 * 1024,
  checkpointEvery: 1_000,
  progress: { update() {}, stop() {} },
  ...extra,
});

const prompt = (i: number) => `Write a python function number ${i} that merges two sorted lists quickly`;

function ndjson(ids: string[]) {
  return ids
    .map((id, i) =>
      JSON.stringify({ requestId: id, prompt: prompt(i), model: "openai/gpt-5", promptTokens: 10 }),
    )
    .join("\n");
}

async function storedCount(ids: string[]) {
  const { rows } = await ctx.stack.deps.pool.query(
    "SELECT count(*)::int AS n FROM prompt_events WHERE id = ANY($1)",
    [ids.map((id) => eventIdFor(TEST_SECRET, id))],
  );
  return rows[0].n as number;
}

const sampledOf = (ids: string[], rate = 0.3) => ids.filter((id) => isSampled(TEST_SECRET, id, rate));

describe("census backfill", () => {
  it("good, bad and duplicate lines end with the right events and counters", async () => {
    const ids = Array.from({ length: 300 }, () => uniqueId("bf"));
    const lines = ndjson(ids).split("\n");
    lines.splice(
      10,
      0,
      "{not json",
      JSON.stringify({ prompt: "no id" }),
      JSON.stringify({ requestId: "x", model: "m" }),
    );
    lines.push(lines[0] as string, lines[1] as string); // two repeated records
    const file = join(dir, "mixed.ndjson");
    writeFileSync(file, `${lines.join("\n")}\n`);

    const result = await backfill(ctx.stack.deps, options(file));
    const sampled = sampledOf(ids);
    const repeatsSampled = sampledOf(ids.slice(0, 2)).length;
    expect(result.status).toBe("done");
    expect(result.counters).toEqual({
      read: 305,
      sampled: sampled.length + repeatsSampled,
      enqueued: sampled.length,
      duplicates: repeatsSampled,
      skipped: 300 - sampled.length + (2 - repeatsSampled),
      filtered: 0,
      bad: 3,
    });
    expect(result.badLines).toEqual([
      { line: 11, reason: "invalid_json" },
      { line: 12, reason: "missing_id" },
      { line: 13, reason: "no_text" },
    ]);
    await ctx.stack.drained();
    await waitForCount(() => storedCount(sampled), sampled.length);
    const { rows } = await ctx.stack.deps.pool.query(
      "SELECT DISTINCT source, sample_rate FROM prompt_events WHERE id = ANY($1)",
      [sampled.map((id) => eventIdFor(TEST_SECRET, id))],
    );
    expect(rows).toEqual([{ source: "backfill", sample_rate: 0.3 }]);
    const run = await loadRun(ctx.stack.deps.db, result.runId ?? "");
    expect(run).toMatchObject({ status: "done", records: 305 });
    // the run row keeps no content of bad lines, only numbers and reasons
    expect(JSON.stringify(run)).not.toContain("no id");
  });

  it("a run stopped half-way and resumed stores each sampled request exactly once", async () => {
    const ids = Array.from({ length: 400 }, () => uniqueId("resume"));
    const file = join(dir, "resume.ndjson");
    writeFileSync(file, `${ndjson(ids)}\n`);

    // the first leg samples at 0.5; the resume must keep that rate without being told
    const first = await backfill(ctx.stack.deps, options(file, { stopAfter: 170, sampleRate: 0.5 }));
    expect(first.status).toBe("interrupted");
    const run = await loadRun(ctx.stack.deps.db, first.runId ?? "");
    expect(run).toMatchObject({ status: "interrupted", records: 170, format: "ndjson" });
    expect(run?.byteOffset).toBeGreaterThan(0); // plain NDJSON: the resume seeks straight there

    const second = await backfill(ctx.stack.deps, options("", { resume: first.runId }));
    expect(second.status).toBe("done");
    expect(second.runId).toBe(first.runId);
    const sampled = sampledOf(ids, 0.5);
    expect(second.counters.read).toBe(400);
    expect(second.counters.enqueued + second.counters.duplicates).toBe(sampled.length);
    await ctx.stack.drained();
    await waitForCount(() => storedCount(sampled), sampled.length);
    expect(await storedCount(ids.filter((id) => !sampled.includes(id)))).toBe(0);
  });

  it("a run that loses Redis fails with a clear message and a checkpoint, and resumes", async () => {
    const ids = Array.from({ length: 300 }, () => uniqueId("lost"));
    const file = join(dir, "lost.ndjson.gz");
    writeFileSync(file, gzipSync(`${ndjson(ids)}\n`));
    const result = await withStack(
      { worker: false, env: { SAMPLE_RATE: "0.3", QUEUE_PREFIX: ctx.stack.env.QUEUE_PREFIX } },
      async (own) => {
        let seen = 0;
        return backfill(
          own.deps,
          options(file, {
            progress: {
              update(c) {
                // Redis goes away after the first chunks are safely queued
                if (c.read >= 150 && seen++ === 0) own.deps.redis.disconnect();
              },
              stop() {},
            },
          }),
        );
      },
    );
    expect(result.status).toBe("failed");
    expect(result.error).toMatch(/Redis/);
    const run = await loadRun(ctx.stack.deps.db, result.runId ?? "");
    expect(run?.status).toBe("failed");
    expect(Number(run?.records)).toBeLessThan(300);
    expect(run?.byteOffset).toBeNull(); // gzip: resumed by skipping records, not by seeking

    const resumed = await backfill(ctx.stack.deps, options("", { resume: result.runId }));
    expect(resumed.status).toBe("done");
    const sampled = sampledOf(ids);
    // the run's counters add up to the file once, however it was interrupted
    expect(resumed.counters).toMatchObject({ read: 300, sampled: sampled.length, bad: 0 });
    expect(resumed.counters.enqueued + resumed.counters.duplicates).toBe(sampled.length);
    expect(resumed.counters.skipped).toBe(300 - sampled.length);
    await ctx.stack.drained();
    await waitForCount(() => storedCount(sampled), sampled.length);
  });

  it(
    "Redis lost the first leg's jobs: the resume reports them missing, --verify re-queues exactly those",
    async () => {
      const ids = Array.from({ length: 400 }, () => uniqueId("verify"));
      const file = join(dir, "verify.ndjson");
      writeFileSync(file, `${ndjson(ids)}\n`);
      const sampled = sampledOf(ids);
      const lost = sampledOf(ids.slice(0, 200));
      await withStack({ worker: false, env: { SAMPLE_RATE: "0.3" } }, async (own) => {
        const first = await backfill(own.deps, options(file, { stopAfter: 200 }));
        expect(first.status).toBe("interrupted");
        expect(await own.deps.queue.count()).toBe(lost.length);
        // Redis loses every job it held, as a restart with appendonly no does
        await own.deps.queue.obliterate({ force: true });

        const second = await backfill(own.deps, options("", { resume: first.runId }));
        expect(second.status).toBe("incomplete"); // not "done": `lost` records will never be events
        expect(second.missing).toBe(lost.length);
        const run = await loadRun(own.deps.db, first.runId ?? "");
        expect(run?.status).toBe("done"); // its input is read to the end; --verify is the way on
        const check = (requeue: boolean) =>
          checkRun(own.deps, run as NonNullable<typeof run>, {
            requeue,
            chunkSize: 25,
            maxRecordBytes: 64 * 1024,
          });

        expect(await check(true)).toMatchObject({
          status: "done",
          read: 400,
          sampled: sampled.length,
          present: sampled.length - lost.length,
          missing: lost.length,
          requeued: lost.length,
        });
        expect(await own.deps.queue.count()).toBe(sampled.length);
        // the job ids are the event ids: a second verify queues nothing twice
        expect(await check(true)).toMatchObject({ missing: 0, requeued: 0, present: sampled.length });

        await own.startWorker();
        await own.drained();
        await waitForCount(() => storedCount(sampled), sampled.length);
        expect(await check(false)).toMatchObject({ missing: 0, present: sampled.length });
        expect(await storedCount(ids.filter((id) => !sampled.includes(id)))).toBe(0);
      });
    },
    BACKSTOP_MS,
  );

  it("reads gzip, CSV (quoted newlines, messages as JSON) and JSON arrays alike", async () => {
    const ids = Array.from({ length: 60 }, () => uniqueId("fmt"));
    const sampled = sampledOf(ids);
    const quote = (v: string) => `"${v.replaceAll('"', '""')}"`;
    const csvRows = ids.map((id, i) => {
      // even rows: a prompt spanning two lines with quotes; odd rows: messages as JSON text
      const text = i % 2 ? "" : quote(`line one of ${prompt(i)}\nline two, with "quotes"`);
      const messages = i % 2 ? quote(JSON.stringify([{ role: "user", content: prompt(i) }])) : "";
      return `${id},anthropic/claude-sonnet-4.5,${text},${messages},12`;
    });
    writeFileSync(
      join(dir, "logs.csv"),
      `requestId,model,prompt,messages,promptTokens\n${csvRows.join("\n")}\n`,
    );
    writeFileSync(
      join(dir, "logs.json.gz"),
      gzipSync(JSON.stringify(ids.map((id, i) => ({ requestId: id, prompt: prompt(i), model: "x/y" })))),
    );
    const csv = await backfill(ctx.stack.deps, options(join(dir, "logs.csv")));
    expect(csv.counters).toMatchObject({ read: 60, bad: 0, enqueued: sampled.length });
    const json = await backfill(ctx.stack.deps, options(join(dir, "logs.json.gz")));
    expect(json.counters).toMatchObject({ read: 60, bad: 0, enqueued: 0, duplicates: sampled.length });
    await ctx.stack.drained();
    await waitForCount(() => storedCount(sampled), sampled.length);
    // the CSV's multi-line prompt reached Google whole (first line and second line joined)
    expect(ctx.google.received.some((t) => t.includes('line two, with "quotes"'))).toBe(true);
  });

  it("stops on unreadable input with a clear message and a resumable checkpoint", async () => {
    const file = join(dir, "corrupt.ndjson.gz");
    const good = gzipSync(`${ndjson([uniqueId("c"), uniqueId("c")])}\n`);
    // a gzip header followed by garbage
    writeFileSync(
      file,
      Buffer.concat([good.subarray(0, 10), Buffer.from("this is not deflate data at all")]),
    );
    const result = await backfill(ctx.stack.deps, options(file));
    expect(result.status).toBe("failed");
    expect(result.error).toMatch(/cannot read the input/);
    expect(await loadRun(ctx.stack.deps.db, result.runId ?? "")).toMatchObject({ status: "failed" });
  });

  it("rejects a huge single line as a bad line, not a crash, and goes on", async () => {
    const ids = [uniqueId("big"), uniqueId("big"), uniqueId("big")];
    const lines = ndjson(ids).split("\n");
    lines.splice(1, 0, JSON.stringify({ requestId: "huge", prompt: "x".repeat(5 * 1024 * 1024) }));
    writeFileSync(join(dir, "huge.ndjson"), lines.join("\n"));
    const result = await backfill(ctx.stack.deps, options(join(dir, "huge.ndjson"), { sampleRate: 1 }));
    expect(result.status).toBe("done");
    expect(result.counters).toMatchObject({ read: 4, bad: 1, enqueued: 3 });
    expect(result.badLines).toEqual([{ line: 2, reason: "too_long" }]);
  });

  it("filters by --since/--until, reads OpenAI chat logs with the preset, and counts a dry run", async () => {
    const records = Array.from({ length: 40 }, (_, i) => ({
      id: uniqueId("chat"),
      object: "chat.completion",
      created: Date.UTC(2025, 5, 1 + (i % 10)) / 1000,
      model: "gpt-4o",
      messages: [{ role: "user", content: prompt(i) }],
      usage: { prompt_tokens: 20, completion_tokens: 50 },
    }));
    const file = join(dir, "chat.jsonl");
    writeFileSync(file, records.map((r) => JSON.stringify(r)).join("\n"));
    const o = options(file, {
      format: "openai-chat",
      since: new Date("2025-06-03T00:00:00Z"),
      until: new Date("2025-06-08T00:00:00Z"),
      sampleRate: 1,
    });
    const dry = await backfill(ctx.stack.deps, { ...o, dryRun: true });
    expect(dry).toMatchObject({ status: "dry-run", runId: undefined });
    expect(dry.counters).toMatchObject({ read: 40, filtered: 20, sampled: 20, enqueued: 0 });
    expect(await ctx.stack.deps.queue.getJob(eventIdFor(TEST_SECRET, records[2]?.id ?? ""))).toBeUndefined();
    const real = await backfill(ctx.stack.deps, o);
    expect(real.counters).toMatchObject({ read: 40, filtered: 20, enqueued: 20 });
    await ctx.stack.drained();
    const inWindow = records.filter((_, i) => i % 10 >= 2 && i % 10 < 7).map((r) => r.id);
    await waitForCount(() => storedCount(inWindow), 20);
    const { rows } = await ctx.stack.deps.pool.query(
      "SELECT DISTINCT model, prompt_tokens::int, completion_tokens::int FROM prompt_events WHERE id = ANY($1)",
      [inWindow.map((id) => eventIdFor(TEST_SECRET, id))],
    );
    expect(rows).toEqual([{ model: "gpt-4o", prompt_tokens: 20, completion_tokens: 50 }]);
  });

  it("pauses while the queue is full, and live traffic is drained before it", async () => {
    const own = await createStack({ worker: false, env: { SAMPLE_RATE: "1", WORKER_CONCURRENCY: "1" } });
    try {
      const ids = Array.from({ length: 200 }, () => uniqueId("bp"));
      const file = join(dir, "backpressure.ndjson");
      writeFileSync(file, ndjson(ids));
      let paused = false;
      const running = backfill(
        own.deps,
        options(file, {
          chunkSize: 10,
          maxWaiting: 40,
          progress: {
            update(_c, _b, note) {
              if (note?.includes("paused")) paused = true;
            },
            stop() {},
          },
        }),
      );
      // no worker yet: the backfill must stop at about maxWaiting + one chunk
      await waitFor(() => paused);
      const counts = await own.deps.queue.getJobCounts("wait", "prioritized");
      const peak = (counts.wait ?? 0) + (counts.prioritized ?? 0);
      expect(peak).toBeGreaterThanOrEqual(40);
      expect(peak).toBeLessThanOrEqual(50);
      // live posts arrive after 40+ backfill jobs; one worker at a time must still take them first
      const key = await own.key("ingest");
      const live = Array.from({ length: 5 }, (_, i) => `live prompt ${i}: debug my python code please`);
      for (const text of live) await own.post({ requestId: uniqueId("live"), model: "m", prompt: text }, key);
      ctx.google.reset();
      await own.startWorker();
      const result = await running;
      expect(result.counters.enqueued).toBe(200);
      await own.drained();
      expect(ctx.google.received.slice(0, 5).sort()).toEqual([...live].sort());
      expect(ctx.google.received).toHaveLength(205);
    } finally {
      await own.close();
    }
  });
});

describe("census backfill (the command)", () => {
  const cliEnv = () => ({
    ...process.env,
    DATABASE_URL: TEST_DATABASE_URL,
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: ctx.stack.env.QUEUE_PREFIX,
    HMAC_SECRET: TEST_SECRET,
    SAMPLE_RATE: "1",
  });

  it(
    "maps the fields named by --id-field, --prompt-field, --messages-field and the rest",
    async () => {
      const ids = Array.from({ length: 3 }, () => uniqueId("flags"));
      const file = join(dir, "flags.ndjson");
      const at = Date.UTC(2025, 6, 14, 9, 30) / 1000;
      writeFileSync(
        file,
        [
          {
            request_id: ids[0],
            text: prompt(0),
            llm: "mistral/large",
            ts: at,
            usage: { in: 11, out: 22 },
            price: 0.5,
          },
          {
            request_id: ids[1],
            text: prompt(1),
            llm: "mistral/large",
            ts: at,
            usage: { in: 11, out: 22 },
            price: 0.5,
          },
          {
            request_id: ids[2],
            conversation: [{ role: "user", content: prompt(2) }],
            llm: "mistral/large",
            ts: at,
            usage: { in: 11, out: 22 },
            price: 0.5,
          },
        ]
          .map((r) => JSON.stringify(r))
          .join("\n"),
      );
      const flags = [
        ["--id-field", "request_id"],
        ["--prompt-field", "text"],
        ["--messages-field", "conversation"],
        ["--model-field", "llm"],
        ["--created-at-field", "ts"],
        ["--prompt-tokens-field", "usage.in"],
        ["--completion-tokens-field", "usage.out"],
        ["--cost-field", "price"],
      ].flat();
      const child = spawnCensus(["backfill", file, "--sample-rate", "1", ...flags], { env: cliEnv() });
      expect(await child.exited).toBe(0);
      expect(JSON.parse(child.stdout().trim().split("\n").pop() ?? "{}")).toMatchObject({
        read: 3,
        enqueued: 3,
        bad: 0,
      });
      await waitForCount(() => storedCount(ids), 3);
      const { rows } = await ctx.stack.deps.pool.query(
        "SELECT DISTINCT model, prompt_tokens::int AS p, completion_tokens::int AS c, cost_usd::float8 AS cost, observed_hour FROM prompt_events WHERE id = ANY($1)",
        [ids.map((id) => eventIdFor(TEST_SECRET, id ?? ""))],
      );
      expect(rows).toEqual([
        { model: "mistral/large", p: 11, c: 22, cost: 0.5, observed_hour: new Date("2025-07-14T09:00:00Z") },
      ]);
    },
    BACKSTOP_MS,
  );

  it(
    "reads stdin (gzip too) and prints a JSON summary without a terminal",
    async () => {
      const file = join(dir, "stdin.ndjson.gz");
      writeFileSync(file, gzipSync(ndjson(Array.from({ length: 50 }, () => uniqueId("stdin")))));
      const child = spawnCensus([], {
        env: cliEnv(),
        command: ["sh", "-c", `cat '${file}' | node bin/census.js backfill - --dry-run`],
      });
      expect(await child.exited).toBe(0);
      expect(JSON.parse(child.stdout().trim().split("\n").pop() ?? "{}")).toMatchObject({
        event: "summary",
        status: "dry-run",
        read: 50,
        sampled: 50,
        bad: 0,
      });
    },
    BACKSTOP_MS,
  );

  it(
    "--verify of a run that read stdin: a clear usage error, unless the input is piped in again",
    async () => {
      const file = join(dir, "verify-stdin.ndjson.gz");
      writeFileSync(file, gzipSync(ndjson(Array.from({ length: 20 }, () => uniqueId("vstdin")))));
      const census = async (command: string) => {
        const child = spawnCensus([], { env: cliEnv(), command: ["sh", "-c", command] });
        try {
          const code = await child.exited;
          const out = child.stdout();
          return { code, out, err: child.stderr(), last: JSON.parse(out.trim().split("\n").pop() || "{}") };
        } finally {
          await child.stop();
        }
      };
      const run = await census(`cat '${file}' | node bin/census.js backfill -`);
      expect(run.code).toBe(0);
      const runId = run.last.runId as string;

      const refused = await census(`node bin/census.js backfill --verify ${runId}`);
      expect(refused.code).toBe(2);
      expect(refused.err.trim()).toBe(
        `USAGE: run ${runId} read stdin, which cannot be read again. Pipe the same input in once more: ... | census backfill - --verify ${runId}`,
      );
      const piped = await census(`cat '${file}' | node bin/census.js backfill - --verify ${runId}`);
      expect(piped.code).toBe(0);
      expect(piped.last).toMatchObject({
        event: "verify",
        runId,
        read: 20,
        sampled: 20,
        missing: 0,
        present: 20,
      });
    },
    BACKSTOP_MS,
  );

  it.skipIf(!existsSync("/usr/bin/script"))(
    "on a terminal shows a progress bar and a readable summary",
    async () => {
      const file = join(dir, "tty.ndjson");
      writeFileSync(file, `${ndjson(Array.from({ length: 30 }, () => uniqueId("tty")))}\n{broken\n`);
      // script(1) runs the command on a pseudo-terminal
      const child = spawnCensus([], {
        env: cliEnv(),
        command: ["script", "-qc", `node bin/census.js backfill '${file}' --dry-run`, "/dev/null"],
      });
      await child.exited;
      const out = child.stdout();
      expect(out).toMatch(/\d+% \| \d+ read \| \d+ sampled \| \d+ queued/);
      expect(out).toMatch(/read 31, sampled 30, queued 0/);
      expect(out).toMatch(/bad \(invalid_json\): line 31/);
    },
    BACKSTOP_MS,
  );

  it(
    "a run killed outright (SIGKILL) resumes from its last checkpoint; each request is stored once",
    async () => {
      const ids = Array.from({ length: 1200 }, () => uniqueId("kill"));
      const file = join(dir, "kill.ndjson");
      writeFileSync(file, ndjson(ids));
      const child = spawnCensus(["backfill", file, "--max-waiting", "1", "--chunk", "50"], { env: cliEnv() });
      // wait until a checkpoint is on disk (while the command starts, however slowly), then kill
      // it without warning
      let runId = "";
      await waitForProgress(
        async () => {
          const { rows } = await ctx.stack.deps.pool.query(
            "SELECT id FROM backfill_runs WHERE records > 0 AND status = 'running' AND started_at > now() - interval '1 minute' ORDER BY started_at DESC LIMIT 1",
          );
          runId = rows[0]?.id ?? "";
          return { runId, child: child.progress() };
        },
        (m) => m.runId !== "",
        { what: "a checkpoint" },
      );
      await child.stop("SIGKILL");
      const before = await loadRun(ctx.stack.deps.db, runId);
      expect(Number(before?.records)).toBeLessThan(1200);

      const resumed = await backfill(ctx.stack.deps, options("", { resume: runId, sampleRate: 1 }));
      expect(resumed.status).toBe("done");
      expect(resumed.counters.read).toBe(1200);
      await ctx.stack.drained();
      await waitForCount(() => storedCount(ids), 1200);
    },
    BACKSTOP_MS,
  );

  it(
    "Ctrl-C saves a checkpoint and exits 130; --resume finishes the run",
    async () => {
      const ids = Array.from({ length: 1500 }, () => uniqueId("sig"));
      const file = join(dir, "signal.ndjson");
      writeFileSync(file, ndjson(ids));
      const env = cliEnv();
      // a tiny queue allowance keeps the run waiting on the worker, so Ctrl-C lands mid-run
      const child = spawnCensus(["backfill", file, "--max-waiting", "1", "--chunk", "50"], { env });
      // Ctrl-C once a checkpoint is on disk, so it lands mid-run
      await waitForProgress(
        async () => {
          const { rows } = await ctx.stack.deps.pool.query(
            "SELECT 1 FROM backfill_runs WHERE records > 0 AND status = 'running' AND started_at > now() - interval '1 minute'",
          );
          return { checkpoint: rows.length > 0, child: child.progress() };
        },
        (m) => m.checkpoint && child.output().includes('"event":"progress"'),
        { what: "a checkpoint" },
      );
      expect(await child.stop("SIGINT")).toBe(130);
      const runId = /--resume (bf_\w+)/.exec(child.output())?.[1];
      expect(runId).toBeDefined();
      const run = await loadRun(ctx.stack.deps.db, runId ?? "");
      expect(run?.status).toBe("interrupted");
      expect(Number(run?.records)).toBeGreaterThan(0);
      expect(Number(run?.records)).toBeLessThan(1500);

      const resumed = spawnCensus(["backfill", "--resume", runId ?? ""], { env });
      expect(await resumed.exited).toBe(0);
      const summary = resumed.stdout();
      expect(summary).toMatch(/"status":"done"/);
      expect(JSON.parse(summary.trim().split("\n").pop() ?? "{}")).toMatchObject({
        read: 1500,
        sampled: 1500,
      });
      await ctx.stack.drained();
      await waitForCount(() => storedCount(ids), 1500);
    },
    BACKSTOP_MS,
  );
});
