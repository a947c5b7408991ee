import { existsSync, readFileSync } from "node:fs";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { Worker } from "node:worker_threads";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_BODY_BYTES, MAX_ITEMS } from "../src/ingest/schema";
import { startHttp } from "../src/runtime";
import { adversarialTexts } from "./redaction-set/adversarial";
import { createStack, type Stack, uniqueId } from "./support/stack";

// Redaction must not freeze the process: a batch of prompts built to be slow to redact is
// answered while the same server keeps answering its health probes. The server runs on this
// thread; the client and the probes run on threads of their own (their own event loops), so a
// blocked server shows as a slow probe, not as a probe that was never sent, and the client's
// own work (5 MB of JSON to send) is not counted as the server's. Before the fix, one 1 MB batch
// of IP-dense prompts held the event loop ~20 s.

type Probe = { ms: number; status: number };

// GETs the URL every `everyMs` until told to stop, then reports each probe's latency.
const PROBES = `
const { parentPort, workerData } = require("node:worker_threads");
let stop = false;
parentPort.on("message", () => { stop = true; });
(async () => {
  const probes = [];
  while (!stop) {
    const started = performance.now();
    const res = await fetch(workerData.url);
    await res.text();
    probes.push({ ms: performance.now() - started, status: res.status });
    parentPort.postMessage({ answered: probes.length });
    await new Promise((r) => setTimeout(r, workerData.everyMs));
  }
  parentPort.postMessage({ probes });
})();
`;

// POSTs the body it was given once told to go, and reports the response.
const CLIENT = `
const { parentPort, workerData } = require("node:worker_threads");
parentPort.once("message", async () => {
  const res = await fetch(workerData.url, { method: "POST", headers: workerData.headers, body: workerData.body });
  parentPort.postMessage({ status: res.status, body: await res.json() });
});
parentPort.postMessage("ready");
`;

function startProbes(url: string, everyMs: number) {
  const worker = new Worker(PROBES, { eval: true, workerData: { url, everyMs } });
  let answered = 0;
  const done = new Promise<Probe[]>((resolve, reject) => {
    worker.on("message", (m: { answered?: number; probes?: Probe[] }) => {
      if (m.answered !== undefined) answered = m.answered;
      if (m.probes) resolve(m.probes);
    });
    worker.once("error", reject);
  });
  return {
    /** Resolves once `n` more probes have been answered. */
    async answer(n: number) {
      const target = answered + n;
      while (answered < target) await new Promise((r) => setTimeout(r, 10));
    },
    async stop(): Promise<Probe[]> {
      worker.postMessage("stop");
      try {
        return await done;
      } finally {
        await worker.terminate();
      }
    },
  };
}

/** A client thread holding the batch (copied to it now); `send()` posts it. */
async function prepareBatch(url: string, key: string, prompts: string[]) {
  const body = JSON.stringify({
    prompts: prompts.map((prompt) => ({ requestId: uniqueId("load"), model: "m/x", sampleRate: 1, prompt })),
  });
  expect(Buffer.byteLength(body)).toBeLessThanOrEqual(MAX_BODY_BYTES);
  const headers = { authorization: `Bearer ${key}`, "content-type": "application/json" };
  const worker = new Worker(CLIENT, { eval: true, workerData: { url, headers, body } });
  await new Promise((resolve, reject) => {
    worker.once("message", resolve);
    worker.once("error", reject);
  });
  return {
    bytes: Buffer.byteLength(body),
    async send(): Promise<{ status: number; body: unknown }> {
      try {
        const answer = new Promise<{ status: number; body: unknown }>((resolve, reject) => {
          worker.once("message", resolve);
          worker.once("error", reject);
        });
        worker.postMessage("go");
        return await answer;
      } finally {
        await worker.terminate();
      }
    },
  };
}

let stack: Stack;
let http: Awaited<ReturnType<typeof startHttp>>;
let key: string;
const url = (path: string) => `http://127.0.0.1:${http.port}${path}`;

beforeAll(async () => {
  stack = await createStack({ worker: false });
  http = await startHttp(stack.deps, 0);
  key = await stack.key("ingest");
});
afterAll(async () => {
  await http?.close();
  await stack?.close();
});

const SCHEDSTAT = "/proc/thread-self/schedstat";
/** This thread's time on a CPU in ms (Linux), or the wall clock where the kernel does not say. */
const onCpuMs = existsSync(SCHEDSTAT)
  ? () => Number(readFileSync(SCHEDSTAT, "utf8").split(" ")[0]) / 1e6
  : () => performance.now();

/**
 * The longest stretch this thread worked without its event loop getting a turn: a timer fires
 * every millisecond the loop is free, and each stretch between two firings is measured in this
 * thread's CPU time (what the code blocks for, however much of the machine other processes take
 * now; on a shared 2-core machine a thread waits for a CPU as long as it runs) and in wall-clock
 * time (perf_hooks' measure, for the message).
 */
function watchBlocks() {
  let cpuMs = 0;
  let lastCpu = onCpuMs();
  const wall = monitorEventLoopDelay({ resolution: 5 });
  wall.enable();
  const timer = setInterval(() => {
    const now = onCpuMs();
    cpuMs = Math.max(cpuMs, now - lastCpu);
    lastCpu = now;
  }, 1);
  return {
    stop() {
      clearInterval(timer);
      wall.disable();
      cpuMs = Math.max(cpuMs, onCpuMs() - lastCpu);
    },
    longest: () => ({ cpuMs, wallMs: wall.max / 1e6 }),
  };
}

/**
 * Runs `attempt` until `ok` or `tries` attempts: the latency bound is the behaviour under test,
 * and on a shared 2-core machine other processes can take the CPU from this one for a while. A
 * block the code causes shows in every attempt; a neighbour's in one.
 */
async function attempts<T>(tries: number, attempt: () => Promise<T>, ok: (r: T) => boolean) {
  const results: T[] = [];
  while (results.length < tries) {
    const r = await attempt();
    results.push(r);
    if (ok(r)) break;
  }
  return results;
}

describe("redaction does not freeze the server", () => {
  it("answers a 1 MB batch of IP-dense prompts while /healthz probes every 50 ms never take more than 300 ms", async () => {
    const ipDense = adversarialTexts(27_000)["IPv4-dense"] ?? "";
    const runs = await attempts(
      5,
      async () => {
        // 38 prompts of 27 KB: 1 MB
        const batch = await prepareBatch(
          url("/v1/prompts"),
          key,
          Array.from({ length: 38 }, (_, i) => `${i} ${ipDense}`),
        );
        expect(batch.bytes).toBeGreaterThan(1_000_000);
        const probes = startProbes(url("/healthz"), 50);
        const blocks = watchBlocks();
        let answered: Probe[] = [];
        try {
          await probes.answer(2); // the probes' connection is up
          const res = await batch.send();
          expect(res).toMatchObject({ status: 202, body: { accepted: 38, sampled: 38 } });
          await probes.answer(2);
        } finally {
          answered = await probes.stop();
          blocks.stop();
        }
        expect(answered.every((p) => p.status === 200)).toBe(true);
        return { slowestProbeMs: Math.max(...answered.map((p) => p.ms)), ...blocks.longest() };
      },
      (run) => run.slowestProbeMs <= 300,
    );
    const report = runs
      .map((r) => `probe ${r.slowestProbeMs.toFixed(0)} ms, block ${r.cpuMs.toFixed(0)} ms of CPU`)
      .join("; ");
    // the server's own blocks are short in every run, whatever the machine's load ...
    expect(Math.max(...runs.map((r) => r.cpuMs)), report).toBeLessThanOrEqual(100);
    // ... and in a run other processes left alone, no probe waited more than 300 ms
    expect(
      runs.some((r) => r.slowestProbeMs <= 300),
      report,
    ).toBe(true);
  }, 90_000);

  it("a 5 MB batch of 1,000 adversarial prompts never blocks the event loop for more than 100 ms", async () => {
    const kinds = Object.values(adversarialTexts(4_900));
    const prompts = Array.from({ length: MAX_ITEMS }, (_, i) => kinds[i % kinds.length] ?? "");
    const batch = await prepareBatch(url("/v1/prompts"), key, prompts);
    expect(batch.bytes).toBeGreaterThan(4_900_000);
    const blocks = watchBlocks();
    let res: Awaited<ReturnType<typeof batch.send>>;
    try {
      res = await batch.send();
    } finally {
      blocks.stop();
    }
    expect(res).toMatchObject({ status: 202, body: { accepted: MAX_ITEMS, sampled: MAX_ITEMS } });
    const { cpuMs, wallMs } = blocks.longest();
    expect(
      cpuMs,
      `longest block: ${cpuMs.toFixed(0)} ms of this thread's CPU (${wallMs.toFixed(0)} ms of wall-clock time on this machine now)`,
    ).toBeLessThanOrEqual(100);
  }, 60_000);
});
