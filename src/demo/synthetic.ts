import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { analyzeGrown } from "../db/partitions";
import { prng } from "../platform/prng";
import { refreshReleases } from "../stats/refresh";
import type { Taxonomy } from "../taxonomy/mapping";

// The demo's generator (the `census demo` feature lives in this folder): synthetic events with
// engine = 'synthetic', so they can never be mistaken for (or mixed with) Google's. The analytics
// benchmarks and tests fill their databases with it too. Written with COPY, which measured ~3x
// faster than multi-row INSERT.

export interface SyntheticOptions {
  count: number;
  from: Date;
  /** Exclusive. */
  to: Date;
  seed?: number;
  /** Rows per COPY statement: bounds the work of each statement-level rollup trigger. */
  chunk?: number;
  /** Prefix of generated ids, so runs do not collide. */
  idPrefix: string;
  sampleRate?: number;
  /** Besides classified events, some too short, refused for their language, and answered from
   * the cache, as live traffic has (`census demo`). Off by default: the benches' and tests' streams
   * stay as they were. */
  mixed?: boolean;
}

// With `mixed`: what becomes of an event, and how its answer was had (live traffic's rough mix).
const UNSUPPORTED = ["ar", "hi", "tr", "vi"];
type Fate = { outcome: string; answer: string };
function fateOf(random: () => number): Fate {
  const r = random();
  if (r < 0.05) return { outcome: "too_short", answer: "skipped" };
  if (r < 0.08) return { outcome: "unsupported_language", answer: "google" };
  if (r < 0.2) return { outcome: "classified", answer: "cache" };
  return { outcome: "classified", answer: "google" };
}

// Roughly the study's late-2025 mix, others included.
const CATEGORY_WEIGHTS: Record<string, number> = {
  programming: 40,
  roleplay: 18,
  technology: 6,
  translation: 4,
  "general-qa": 5,
  "productivity-writing": 4,
  education: 3,
  "creative-writing": 4,
  science: 3,
  health: 2,
  finance: 2,
  legal: 1,
  academia: 1,
  marketing: 2,
  trivia: 1,
  adult: 1,
  others: 3,
};

/** The demo's models (the model catalogue's tests check it knows each). */
export const MODELS: ReadonlyArray<readonly [model: string, usdPerMTok: number]> = [
  ["anthropic/claude-sonnet-4.5", 6],
  ["anthropic/claude-opus-4.1", 30],
  ["anthropic/claude-haiku-4.5", 1.5],
  ["openai/gpt-5", 4],
  ["openai/gpt-5-mini", 0.8],
  ["openai/gpt-oss-120b", 0.2],
  ["google/gemini-2.5-pro", 4],
  ["google/gemini-2.5-flash", 0.6],
  ["x-ai/grok-code-fast-1", 0.5],
  ["x-ai/grok-4", 5],
  ["deepseek/deepseek-chat-v3.1", 0.4],
  ["deepseek/deepseek-r1", 0.9],
  ["qwen/qwen3-coder", 0.5],
  ["qwen/qwen3-235b-a22b", 0.3],
  ["meta-llama/llama-4-maverick", 0.3],
  ["mistralai/mistral-medium-3.1", 1.2],
  ["moonshotai/kimi-k2", 0.9],
  ["z-ai/glm-4.6", 0.8],
  ["minimax/minimax-m2", 0.7],
  ["nousresearch/hermes-4-70b", 0.2],
];

const LANGUAGES = ["en", "en", "en", "en", "zh", "es", "ru", "pt", "fr", "de", "ja", "ko"];

function picker<T>(weighted: ReadonlyArray<readonly [T, number]>, random: () => number) {
  const total = weighted.reduce((s, [, w]) => s + w, 0);
  return () => {
    let r = random() * total;
    for (const [v, w] of weighted) {
      r -= w;
      if (r < 0) return v;
    }
    return weighted[weighted.length - 1]?.[0] as T;
  };
}

/** Writes `count` synthetic events and their labels; returns how many were written. */
export async function writeSyntheticEvents(
  pool: pg.Pool,
  taxonomy: Taxonomy,
  o: SyntheticOptions,
): Promise<number> {
  const random = prng(o.seed ?? 42);
  const category = picker(Object.entries(CATEGORY_WEIGHTS), random);
  const rulesByCategory = new Map<string, { prefix: string; tag: string }[]>();
  for (const r of taxonomy.rules) {
    // a prefix is itself a valid path; the catch-all "/" is not
    if (r.prefix === "/") continue;
    rulesByCategory.set(r.category, [...(rulesByCategory.get(r.category) ?? []), r]);
  }
  const span = o.to.getTime() - o.from.getTime();
  const rate = o.sampleRate ?? 0.0025;
  const chunk = o.chunk ?? 1_000_000;
  const client = await pool.connect();
  try {
    for (let start = 0; start < o.count; start += chunk) {
      const n = Math.min(chunk, o.count - start);
      const events: string[] = [];
      const labels: string[] = [];
      for (let i = start; i < start + n; i++) {
        const id = `${o.idPrefix}${i.toString(36).padStart(8, "0")}`;
        const cat = category();
        const [model, price] = MODELS[Math.floor(random() * random() * MODELS.length)] ??
          MODELS[0] ?? ["x/y", 1];
        const hour = new Date(o.from.getTime() + Math.floor(random() * span));
        hour.setUTCMinutes(0, 0, 0);
        const promptTokens = 200 + Math.floor(random() * 4000);
        const completionTokens = 50 + Math.floor(random() * 1200);
        const cost = (((promptTokens + completionTokens) * price) / 1e6).toFixed(8);
        let language = LANGUAGES[Math.floor(random() * LANGUAGES.length)] ?? "en";
        const fate = o.mixed ? fateOf(random) : { outcome: "classified", answer: "google" };
        if (fate.outcome === "unsupported_language")
          language = UNSUPPORTED[Math.floor(random() * UNSUPPORTED.length)] ?? "ar";
        const classified = fate.outcome === "classified";
        events.push(
          `${id}\t${hour.toISOString()}\t${model}\t${promptTokens}\t${completionTokens}\t${cost}\t${rate}\tlive\t${language}\tsynthetic\t${fate.outcome}\t${classified ? cat : "others"}\t${taxonomy.version}\t${classified ? 1000 : 12}\t${fate.answer}\n`,
        );
        if (!classified) continue;
        const rules = rulesByCategory.get(cat) ?? [];
        const first = rules[Math.floor(random() * rules.length)];
        if (first) labels.push(`${id}\t${first.prefix}\t0.9\t${first.tag}\t${cat}\t${hour.toISOString()}\n`);
        const second = rules[Math.floor(random() * rules.length)];
        if (second && second !== first && random() < 0.3)
          labels.push(`${id}\t${second.prefix}\t0.6\t${second.tag}\t${cat}\t${hour.toISOString()}\n`);
      }
      await copy(
        client,
        "COPY prompt_events (id, observed_hour, model, prompt_tokens, completion_tokens, cost_usd, sample_rate, source, language, engine, outcome, category, mapping_version, char_count, answer_source) FROM STDIN",
        events,
      );
      await copy(
        client,
        "COPY prompt_labels (event_id, path, confidence, tag, category, observed_hour) FROM STDIN",
        labels,
      );
    }
    // statistics first: the refresh joins the rollups and units this load grew (analyzeGrown).
    // This connection's own counts reach the statistics only once it goes idle: ask for that.
    await client.query("SELECT pg_stat_force_next_flush()").catch(() => {}); // Postgres 15 on
    await analyzeGrown(client);
    // the triggers marked the partitions written; their units once for the whole load, so what
    // loaded is in every answer when this returns (a worker's refresher would take seconds)
    await refreshReleases(client, true);
    return o.count;
  } finally {
    client.release();
  }
}

async function copy(client: pg.PoolClient, sql: string, lines: string[]) {
  await pipeline(Readable.from(lines, { objectMode: false }), client.query(copyFrom(sql)));
}
