import { randomBytes } from "node:crypto";
import type pg from "pg";
import type { TaggedLabel } from "../../src/classification/labels";
import { storeEvent } from "../../src/classification/store-event";
import { refreshReleases } from "../../src/stats/refresh";
import { loadTaxonomy } from "../../src/taxonomy/load";

export interface SeedEvent {
  day: string;
  category: string;
  model?: string;
  language?: string | null;
  promptTokens?: number;
  completionTokens?: number;
  costUsd?: number | null;
  sampleRate?: number;
  engine?: "google" | "emulator" | "synthetic";
  answerSource?: "google" | "cache" | "skipped";
  outcome?: "classified" | "too_short" | "unsupported_language" | "invalid";
  charCount?: number;
  labels?: { path: string; tag: string; category?: string; confidence?: number }[];
}

// Seeded events carry the current mapping version, so a concurrent `remap` test leaves them alone.
const CURRENT_VERSION = loadTaxonomy().version;

/**
 * Writes events through the real store (so rollup triggers fire); `n` copies of each. Then, unless
 * `refresh` is false, refreshes the release units (as a worker's refresher would within
 * REFRESH_INTERVAL_MS), so answers read next count them.
 */
export async function seed(
  pool: pg.Pool,
  events: (SeedEvent & { n?: number })[],
  version = CURRENT_VERSION,
  refresh = true,
) {
  const prefix = `seed${randomBytes(4).toString("hex")}`;
  let i = 0;
  for (const e of events) {
    for (let c = 0; c < (e.n ?? 1); c++) {
      const labels: TaggedLabel[] = (e.labels ?? []).map((l) => ({
        path: l.path,
        tag: l.tag,
        category: l.category ?? e.category,
        confidence: l.confidence ?? 0.9,
        known: true,
      }));
      await storeEvent(
        pool,
        {
          id: `${prefix}-${i++}`,
          observedHour: new Date(`${e.day}T12:00:00Z`),
          model: e.model ?? "openai/gpt-5",
          promptTokens: e.promptTokens ?? 100,
          completionTokens: e.completionTokens ?? 0,
          costUsd: e.costUsd === null ? null : String(e.costUsd ?? 0.001),
          sampleRate: e.sampleRate ?? 0.5,
          source: "live",
          language: e.language === undefined ? "en" : e.language,
          engine: e.engine ?? "synthetic",
          outcome: e.outcome ?? "classified",
          category: e.category,
          mappingVersion: version,
          charCount: e.charCount ?? 100,
          answerSource: e.answerSource ?? "google",
          redacted: false,
          textFrom: "prompt",
        },
        labels,
      );
    }
  }
  if (refresh) await refreshReleases(pool, true);
  return prefix;
}
