import { randomBytes } from "node:crypto";
import { createGoogleClassifier } from "../src/classification/google";
import { billableUnits } from "../src/classification/google-billing";
import { limiterFor } from "../src/classification/google-rate";
import type { Deps } from "../src/deps";
import { startEmulator } from "../src/emulator/server";
import { eventIdFor } from "../src/ingest/sampling";
import type { PromptItem } from "../src/ingest/schema";
import { ingestPrompts } from "../src/ingest/service";
import { extractText, truncateCodePoints } from "../src/ingest/text";
import { prng } from "../src/platform/prng";
import { startWorker } from "../src/runtime";

// What the classification cache saves on a realistic router stream, against the same stream
// with the cache off, in one run: Google calls per stored event, billable units, drain time and
// the call rate as a share of GOOGLE_QPM; then the same stream again with the cache hot, where
// the worker should be bound by Postgres, not by Google.

const QPM = 600;
const LATENCY_MS = 150;

interface App {
  name: string;
  /** Sent ahead of every user turn: longer than 1,000 characters, so the turn is cut off. */
  systemPrompt?: string;
}

const WORDS = "code function bug test deploy translate story character poem email report data query model"
  .split(" ")
  .concat("refactor merge branch compile review summary recipe travel invoice contract lesson".split(" "));

function apps(random: () => number): App[] {
  const long = (role: string) =>
    `You are ${role}. ${Array.from({ length: 160 }, () => WORDS[Math.floor(random() * WORDS.length)]).join(" ")}.`;
  return [
    {
      name: "coding-agent",
      systemPrompt: long("an autonomous coding agent working in the user's repository"),
    },
    { name: "companion", systemPrompt: long("Mia, a warm companion who stays in character") },
    { name: "translator", systemPrompt: long("a translator who renders every message into French") },
    { name: "ide-assistant", systemPrompt: long("an IDE assistant that answers with code") },
    ...Array.from({ length: 26 }, (_, i) => ({ name: `app-${i}` })),
  ];
}

/** The router's stream: a Zipf spread of apps, unique user turns, retries, and short messages. */
export function routerStream(n: number, seed = 42): PromptItem[] {
  const random = prng(seed);
  const all = apps(random);
  const weights = all.map((_, i) => 1 / (i + 1) ** 1.1);
  const total = weights.reduce((a, b) => a + b, 0);
  const pick = () => {
    let r = random() * total;
    for (let i = 0; i < all.length; i++) {
      r -= weights[i] ?? 0;
      if (r <= 0) return all[i] as App;
    }
    return all[0] as App;
  };
  const items: PromptItem[] = [];
  for (let i = 0; i < n; i++) {
    const previous = items.at(-1 - Math.floor(random() * 20));
    if (previous && random() < 0.04) {
      items.push({ ...previous, requestId: `r${i}` }); // a router retry: same text, new id
      continue;
    }
    const app = pick();
    const turn =
      random() < 0.06
        ? ["ok", "continue", "thanks!", "yes please"][Math.floor(random() * 4)]
        : `Please ${Array.from({ length: 12 }, () => WORDS[Math.floor(random() * WORDS.length)]).join(" ")} #${i}`;
    items.push({
      requestId: `r${i}`,
      model: `${app.name}/model`,
      sampleRate: 1,
      messages: [
        ...(app.systemPrompt ? [{ role: "system", content: app.systemPrompt }] : []),
        { role: "user", content: turn },
      ],
    });
  }
  return items;
}

/** Queues the stream under fresh request ids and drains it with one worker; returns seconds. */
async function drain(deps: Deps, items: PromptItem[], cacheTtl: number, emulatorHost: string) {
  for (let i = 0; i < items.length; i += 500) {
    await ingestPrompts(items.slice(i, i + 500), deps.ingest, { source: "live" });
  }
  const classifier = createGoogleClassifier({ emulatorHost });
  const started = performance.now();
  const worker = await startWorker({
    ...deps,
    workerSetup: (c) => deps.workerSetup(c, { GOOGLE_QPM: QPM, CLASSIFY_CACHE_TTL: cacheTtl }),
    classifier: async () => classifier,
  });
  for (;;) {
    const c = await deps.queue.getJobCounts("wait", "active", "delayed", "prioritized");
    if (Object.values(c).every((n) => n === 0)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const seconds = (performance.now() - started) / 1000;
  await worker.close();
  await classifier.close();
  return seconds;
}

export async function benchCost(deps: Deps, n: number) {
  console.log(
    `\n## cost: ${n} router requests (Zipf apps, long system prompts, retries, short turns), emulator ${LATENCY_MS} ms, GOOGLE_QPM=${QPM}`,
  );
  const stream = routerStream(n);
  const distinct = new Set(
    stream.map((item) => truncateCodePoints(extractText(item), deps.env.MAX_CHARS).text),
  );
  let calls = 0;
  const arrivals: number[] = [];
  const emulator = await startEmulator(0, {
    latencyMs: LATENCY_MS,
    onRequest: () => {
      calls += 1;
      arrivals.push(Date.now());
    },
  });
  const { duration } = limiterFor(QPM);
  await deps.pool.query("DELETE FROM classify_cache"); // the cold run starts cold
  const runs: { name: string; seconds: number; calls: number; stored: number }[] = [];
  for (const [name, ttl] of [
    ["cache off (baseline)", 0],
    ["cache on, cold", 604_800],
    ["cache on, hot: the stream again", 604_800],
  ] as const) {
    const tag = `cost${randomBytes(3).toString("hex")}`;
    const items = stream.map((item) => ({ ...item, requestId: `${tag}-${item.requestId}` }));
    const before = calls;
    const seconds = await drain(deps, items, ttl, emulator.host);
    const { rows } = await deps.pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM prompt_events WHERE id = ANY($1)",
      [items.map((item) => eventIdFor(deps.env.HMAC_SECRET, item.requestId))],
    );
    const run = { name, seconds, calls: calls - before, stored: rows[0]?.n ?? 0 };
    // calls over the time they spanned plus the last limiter window: the rate the limiter held
    const mine = arrivals.slice(before);
    const callSeconds = mine.length ? ((mine.at(-1) ?? 0) - (mine[0] ?? 0) + duration) / 1000 : 1;
    runs.push(run);
    // the truncated texts are at most MAX_CHARS long: one unit per call
    const units = run.calls * billableUnits(deps.env.MAX_CHARS);
    console.log(
      `${name.padEnd(34)} ${String(run.stored).padStart(5)} events  ${String(run.calls).padStart(5)} calls (${(run.calls / run.stored).toFixed(2)} per event)  ${String(units).padStart(5)} units  drain ${seconds.toFixed(1).padStart(6)} s  ${(run.stored / seconds).toFixed(1).padStart(7)} events/s  calls at ${(run.calls / callSeconds / (QPM / 60)).toFixed(2)}x GOOGLE_QPM`,
    );
  }
  const [off, cold, hot] = runs;
  if (off && cold && hot) {
    console.log(
      `distinct texts after truncation: ${distinct.size} of ${n}. Cache on, cold: ${(cold.calls / off.calls).toFixed(2)}x the calls and units, ${(cold.seconds / off.seconds).toFixed(2)}x the drain time of the baseline. Hot: ${(hot.stored / hot.seconds / (QPM / 60)).toFixed(1)}x the quota's rate in events, bound by Postgres, not Google.`,
    );
  }
  await emulator.close();
}
