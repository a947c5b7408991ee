import { randomBytes } from "node:crypto";
import { createGoogleClassifier } from "../src/classification/google";
import type { Deps } from "../src/deps";
import { startEmulator } from "../src/emulator/server";
import { enqueueClassify } from "../src/queue/jobs";
import { startWorker } from "../src/runtime";
import { jobPayload } from "./lib";

// Throughput under a Google quota storm, as a ratio of the quota: one worker drains N jobs at
// GOOGLE_QPM=600 against the emulator answering 429 to half the calls, and the same N with no
// refusals as the baseline of the same run. Before burst counting and window-keeping holds
// this storm gave 1.5 events/s against 10/s.

const QPM = 600;

async function drain(deps: Deps, jobs: number, errorRate429: number) {
  let calls = 0;
  let refused = 0;
  const emulator = await startEmulator(0, {
    latencyMs: 150,
    errorRate429,
    onRequest: () => {
      calls += 1;
    },
    onResponse: (status) => {
      if (status === 429) refused += 1;
    },
  });
  const classifier = createGoogleClassifier({ emulatorHost: emulator.host });
  const tag = randomBytes(4).toString("hex");
  await enqueueClassify(
    deps.queue,
    Array.from({ length: jobs }, (_, i) => ({
      eventId: `benchquota${tag}${i}`,
      payload: jobPayload("debug my python code now please", "bench/quota"),
    })),
    3,
    deps.sealer,
  );
  const started = performance.now();
  const worker = await startWorker({
    ...deps,
    // the same text for every job: without the cache off, one call would answer them all
    workerSetup: (c) => deps.workerSetup(c, { GOOGLE_QPM: QPM, RETRY_BASE_MS: 1000, CLASSIFY_CACHE_TTL: 0 }),
    classifier: async () => classifier,
  });
  for (;;) {
    const { rows } = await deps.pool.query("SELECT count(*)::int AS n FROM prompt_events WHERE id LIKE $1", [
      `benchquota${tag}%`,
    ]);
    if (rows[0].n >= jobs) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const seconds = (performance.now() - started) / 1000;
  await worker.close();
  await classifier.close();
  await emulator.close();
  await deps.pool.query("DELETE FROM prompt_events WHERE id LIKE $1", [`benchquota${tag}%`]);
  return { seconds, eventsPerSecond: jobs / seconds, calls, refused };
}

export async function benchQuota(deps: Deps, jobs: number) {
  const perSecond = QPM / 60;
  console.log(`\n## quota: ${jobs} jobs at GOOGLE_QPM=${QPM} (${perSecond}/s), emulator 150 ms`);
  const base = await drain(deps, jobs, 0);
  const storm = await drain(deps, jobs, 0.5);
  const line = (name: string, r: typeof base, baseline?: typeof base) =>
    console.log(
      `${name.padEnd(34)} ${r.eventsPerSecond.toFixed(2).padStart(6)} events/s  ${(r.eventsPerSecond / perSecond).toFixed(2)}x quota  calls ${(r.calls / r.seconds / perSecond).toFixed(2)}x quota  429s ${r.refused}${baseline ? `  | ${(r.eventsPerSecond / baseline.eventsPerSecond).toFixed(2)}x baseline` : ""}`,
    );
  line("baseline: no refusals", base);
  line("50% of calls answered 429", storm, base);
}
