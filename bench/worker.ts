import { randomBytes } from "node:crypto";
import { createGoogleClassifier } from "../src/classification/google";
import type { Deps } from "../src/deps";
import { startEmulator } from "../src/emulator/server";
import { enqueueClassify } from "../src/queue/jobs";
import { startWorker } from "../src/runtime";
import { jobPayload, load, row } from "./lib";

// End to end through BullMQ: enqueue N jobs, drain them with one worker (emulator classifier,
// Postgres writes). Baseline: the same number of bare classify calls at the same concurrency.

export async function benchWorker(deps: Deps, jobs: number) {
  console.log(
    `\n## worker: ${jobs} jobs queued, drained by one worker (concurrency ${deps.env.WORKER_CONCURRENCY})`,
  );
  const emulator = await startEmulator(0);
  const classifier = createGoogleClassifier({ emulatorHost: emulator.host });
  const base = await load(
    jobs,
    deps.env.WORKER_CONCURRENCY,
    async () => (await classifier.classify("debug my python code now")).labels.length > 0,
  );
  row("baseline: bare classify calls", base);

  const tag = randomBytes(4).toString("hex");
  const inputs = Array.from({ length: jobs }, (_, i) => ({
    eventId: `bench${tag}${i.toString().padStart(8, "0")}`,
    payload: jobPayload("debug my python code now", "bench/model"),
  }));
  for (let i = 0; i < inputs.length; i += 1000)
    await enqueueClassify(deps.queue, inputs.slice(i, i + 1000), 3, deps.sealer);
  const started = performance.now();
  const latencies: number[] = [];
  const worker = await startWorker({ ...deps, classifier: async () => classifier });
  worker.worker.on("completed", (job) => latencies.push(Date.now() - job.timestamp));
  for (;;) {
    const c = await deps.queue.getJobCounts("wait", "active", "delayed", "prioritized");
    if (Object.values(c).every((n) => n === 0)) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const seconds = (performance.now() - started) / 1000;
  await worker.close();
  latencies.sort((a, b) => a - b);
  row(
    "queue -> classify -> Postgres",
    { requests: jobs, seconds, perSecond: jobs / seconds, p50: 0, p95: 0, p99: 0, errors: 0 },
    base,
    "job/s",
  );
  await deps.pool.query("DELETE FROM prompt_events WHERE id LIKE $1", [`bench${tag}%`]);
  await classifier.close();
  await emulator.close();
}
