import { createCensusClient, itemFromChat } from "../src/client/index";

// What `record()` costs the router's request path: per call, against building the same item
// and pushing it onto an array (the least any client could do), in one run. The service is
// never reached (fetch answers 202 at once), so only the client's own work is timed.

export async function benchClient(n: number) {
  const items = Array.from({ length: n }, (_, i) =>
    itemFromChat(
      {
        model: "openai/gpt-5",
        messages: [
          { role: "system", content: "You are a coding agent. ".repeat(40) },
          { role: "user", content: `Fix the failing test in case ${i}` },
        ],
      },
      { usage: { prompt_tokens: 300, completion_tokens: 80 } },
      { requestId: `bench-${i}` },
    ),
  );
  const time = (run: (i: number) => void) => {
    const started = process.hrtime.bigint();
    for (let i = 0; i < n; i++) run(i);
    return Number(process.hrtime.bigint() - started) / 1000 / n;
  };
  const array: unknown[] = [];
  const baseline = time((i) => array.push({ ...items[i], sampleRate: 1 }));
  const accept: typeof fetch = async () => new Response("{}", { status: 202 });
  const all = createCensusClient({ url: "http://x", key: "k", fetch: accept, maxQueued: n });
  const recordAll = time((i) => all.record(items[i] as (typeof items)[number]));
  await all.close();
  const sampled = createCensusClient({ url: "http://x", key: "k", fetch: accept, sampleRate: 0.0025 });
  const recordSampled = time((i) => sampled.record(items[i] as (typeof items)[number]));
  await sampled.close();
  console.log(`\n## client: record() of ${n} chat items (~1 KB each), service answering at once`);
  console.log(`baseline: push onto an array      ${baseline.toFixed(2).padStart(6)} µs a call`);
  console.log(
    `record(), sampleRate 1            ${recordAll.toFixed(2).padStart(6)} µs a call  | ${(recordAll / baseline).toFixed(1)}x baseline`,
  );
  console.log(
    `record(), sampleRate 0.0025       ${recordSampled.toFixed(2).padStart(6)} µs a call  | ${(recordSampled / baseline).toFixed(1)}x baseline (most items only hashed)`,
  );
}
