import { randomBytes } from "node:crypto";
import type { Classifier } from "../src/classification/classifier";
import { createGoogleClassifier } from "../src/classification/google";
import type { Deps } from "../src/deps";
import { startEmulator } from "../src/emulator/server";
import { enqueueClassify } from "../src/queue/jobs";
import { startWorker } from "../src/runtime";
import { jobPayload, type LoadResult, load, row } from "./lib";
import { loadWeek, writesDeps } from "./writes-db";

// End to end through BullMQ: enqueue N jobs, drain them with one worker (emulator classifier,
// Postgres writes), on a database of its own. Baseline: the same number of bare classify calls at
// the same concurrency. Then the same drain with `loaded` events in the last 7 days (>= 100k in
// the partition the jobs write to), as a ratio to its own empty-database figure: writes must not
// slow down as their day fills (issue 19, item 1).

/** Enqueues `jobs` jobs and drains them with one worker; checks every event landed. */
async function drain(deps: Deps, classifier: Classifier, jobs: number): Promise<LoadResult> {
  const tag = randomBytes(4).toString("hex");
  const inputs = Array.from({ length: jobs }, (_, i) => ({
    eventId: `bench${tag}${i.toString().padStart(8, "0")}`,
    payload: jobPayload("debug my python code now", "bench/model"),
  }));
  for (let i = 0; i < inputs.length; i += 1000)
    await enqueueClassify(deps.queue, inputs.slice(i, i + 1000), 3, deps.sealer);
  const started = performance.now();
  const cpu = process.cpuUsage();
  const worker = await startWorker({ ...deps, classifier: async () => classifier });
  for (;;) {
    const c = await deps.queue.getJobCounts("wait", "active", "delayed", "prioritized");
    if (Object.values(c).every((n) => n === 0)) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  await worker.close();
  console.log(`  worker process CPU: ${((used.user + used.system) / 1000 / jobs).toFixed(2)} ms per job`);
  const { rows } = await deps.pool.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM prompt_events WHERE id LIKE $1",
    [`bench${tag}%`],
  );
  const errors = jobs - (rows[0]?.n ?? 0);
  return { requests: jobs, seconds, perSecond: jobs / seconds, p50: 0, p95: 0, p99: 0, errors };
}

export async function benchWorker(shared: Deps, jobs: number, loaded: number) {
  console.log(
    `\n## worker: ${jobs} jobs queued, drained by one worker (concurrency ${shared.env.WORKER_CONCURRENCY}), own database`,
  );
  const { deps, drop } = await writesDeps(shared.env);
  const emulator = await startEmulator(0);
  const classifier = createGoogleClassifier({ emulatorHost: emulator.host });
  try {
    const base = await load(
      jobs,
      deps.env.WORKER_CONCURRENCY,
      async () => (await classifier.classify("debug my python code now")).labels.length > 0,
    );
    row("baseline: bare classify calls", base);
    const empty = await drain(deps, classifier, jobs);
    row("queue -> classify -> Postgres, empty database", empty, base, "job/s");
    const week = await loadWeek(deps, loaded);
    console.log(
      `  loaded ${loaded.toLocaleString()} events into the last 7 days with SQL in ${week.seconds.toFixed(1)} s (${week.today.toLocaleString()} in the jobs' partition: today, programming)`,
    );
    const full = await drain(deps, classifier, jobs);
    row(`same, ${loaded.toLocaleString()} events this week`, full, empty, "job/s");
    console.log(
      "  (errors: jobs whose event is missing; the ratio of the second is to the empty database's)",
    );
  } finally {
    await classifier.close();
    await emulator.close();
    await drop();
  }
}
