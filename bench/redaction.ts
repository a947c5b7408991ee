import { existsSync, readFileSync } from "node:fs";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { createApp } from "../src/app";
import type { Deps } from "../src/deps";
import { MAX_ITEMS } from "../src/ingest/schema";
import { extractText, truncateCodePoints } from "../src/ingest/text";
import { redactHead } from "../src/redaction/redact";
import { adversarialTexts } from "../test/redaction-set/adversarial";
import { routerStream } from "./cost";

// What redaction costs per item at ingest, on the cost bench's router stream (system prompts,
// user turns, short messages) with one item in five carrying personal data or a secret, against
// the same items cut to MAX_CHARS without redaction, in one run. Then the worst case: texts built
// to be slow to redact (test/redaction-set/adversarial.ts), per item, and a 5 MB batch of them
// through the API while the event loop's delay is measured.

const PII = [
  "reach me at jane.doe@example.com or +1 415 555 2671",
  "card 4111 1111 1111 1111, IBAN DE89 3704 0044 0532 0130 00",
  "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE and the server is 203.0.113.7",
  'headers = {"Authorization": "token ghp_abcdefghijklmnopqrstuvwxyz0123456789"}',
];

function timeEach(texts: readonly string[], run: (t: string) => unknown) {
  const micros: number[] = [];
  for (const t of texts) {
    const started = process.hrtime.bigint();
    run(t);
    micros.push(Number(process.hrtime.bigint() - started) / 1000);
  }
  micros.sort((a, b) => a - b);
  const at = (q: number) => micros[Math.min(micros.length - 1, Math.floor(q * micros.length))] ?? 0;
  return { mean: micros.reduce((a, b) => a + b, 0) / micros.length, p50: at(0.5), p99: at(0.99) };
}

export async function benchRedaction(deps: Deps, key: string, n: number, maxChars = 1000) {
  const texts = routerStream(n, 7).map((item, i) => {
    const text = extractText(item);
    return i % 5 === 0 ? `${text}\n${PII[i % PII.length]}` : text;
  });
  const cut = (t: string) => truncateCodePoints(t, maxChars);
  const full = (t: string) => cut(redactHead(t, maxChars).text);
  for (const t of texts.slice(0, 200)) full(t); // warm the regular expressions and metadata
  const base = timeEach(texts, cut);
  const redacted = timeEach(texts, full);
  const found = texts.filter((t) => Object.keys(redactHead(t, maxChars).found).length > 0).length;
  console.log(
    `\n## redaction: ${n} router items (1 in 5 with personal data or a secret), MAX_CHARS=${maxChars}`,
  );
  const row = (name: string, r: typeof base) =>
    `${name.padEnd(28)} mean ${r.mean.toFixed(1).padStart(7)} µs  p50 ${r.p50.toFixed(1).padStart(7)} µs  p99 ${r.p99.toFixed(1).padStart(7)} µs`;
  console.log(row("baseline: extract and cut", base));
  console.log(
    `${row("redact, then cut", redacted)}  | ${(redacted.mean / base.mean).toFixed(1)}x baseline, +${(redacted.mean - base.mean).toFixed(1)} µs an item; ${found} items redacted`,
  );
  benchAdversarial(maxChars, n >= 10_000 ? 200 : 50);
  await benchBatch(deps, key);
}

function benchAdversarial(maxChars: number, calls: number) {
  const texts = adversarialTexts();
  for (let round = 0; round < 20; round++) for (const t of Object.values(texts)) redactHead(t, maxChars);
  console.log(
    `\n## redaction, adversarial: ${Object.keys(texts).length} texts of 100 KB built to be slow to redact, ${calls} calls each, MAX_CHARS=${maxChars}`,
  );
  const results = Object.entries(texts).map(([name, text]) => ({
    name,
    ...timeEach(Array(calls).fill(text), (t) => redactHead(t, maxChars)),
  }));
  for (const r of results) {
    console.log(
      `${r.name.padEnd(32)} p50 ${r.p50.toFixed(0).padStart(5)} µs  p99 ${r.p99.toFixed(0).padStart(6)} µs`,
    );
  }
  const worst = (q: "p50" | "p99") => results.reduce((a, b) => (b[q] > a[q] ? b : a));
  console.log(
    `worst case per item: p50 ${worst("p50").p50.toFixed(0)} µs (${worst("p50").name}), p99 ${worst("p99").p99.toFixed(0)} µs (${worst("p99").name})`,
  );
}

const SCHEDSTAT = "/proc/thread-self/schedstat";
/** This thread's time on a CPU in ms (Linux), or the wall clock where the kernel does not say. */
const onCpuMs = existsSync(SCHEDSTAT)
  ? () => Number(readFileSync(SCHEDSTAT, "utf8").split(" ")[0]) / 1e6
  : () => performance.now();

/** A 5 MB batch of 1,000 adversarial prompts through the app, the event loop watched. */
async function benchBatch(deps: Deps, key: string) {
  const kinds = Object.values(adversarialTexts(4_900));
  const body = JSON.stringify({
    prompts: Array.from({ length: MAX_ITEMS }, (_, i) => ({
      requestId: `bench-adversarial-${process.pid}-${Date.now()}-${i}`,
      model: "m/x",
      sampleRate: 1,
      prompt: kinds[i % kinds.length],
    })),
  });
  const app = createApp(deps);
  const request = () =>
    new Request("http://127.0.0.1/v1/prompts", {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body,
    });
  await (await app.request(request())).arrayBuffer(); // warm the path; its jobs go before the run
  await deps.queue.obliterate({ force: true });
  const req = request();
  const delay = monitorEventLoopDelay({ resolution: 1 });
  let longestCpu = 0;
  let lastCpu = onCpuMs();
  const watch = setInterval(() => {
    const now = onCpuMs();
    longestCpu = Math.max(longestCpu, now - lastCpu);
    lastCpu = now;
  }, 1);
  delay.enable();
  const started = performance.now();
  const res = await app.request(req);
  const answer = await res.text();
  const ms = performance.now() - started;
  delay.disable();
  clearInterval(watch);
  await deps.queue.obliterate({ force: true });
  console.log(
    `\n## redaction, a 5 MB batch: ${MAX_ITEMS} adversarial prompts of 4.9 KB (${(Buffer.byteLength(body) / 1e6).toFixed(1)} MB) through the API`,
  );
  console.log(
    `answered ${res.status} ${answer} in ${ms.toFixed(0)} ms; event loop max delay ${(delay.max / 1e6).toFixed(0)} ms (perf_hooks), longest block ${longestCpu.toFixed(0)} ms of the thread's CPU`,
  );
}
