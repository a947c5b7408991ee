import type { Metrics } from "../platform/metrics";
import type { Answer } from "../queue/jobs";
import type { ClassifierEngine } from "../vocabulary";
import { type CachedAnswer, type CacheStore, cacheKey } from "./cache";
import { countWords } from "./words";

export interface AnswerDeps {
  engine: ClassifierEngine;
  /** Asks Google (with the processor's holds and metrics). */
  callGoogle(text: string, chars: number): Promise<Omit<Answer, "source">>;
  /** Absent when CLASSIFY_CACHE_TTL is 0. */
  cache?: CacheStore | undefined;
  secret: string;
  minWords: number;
  metrics: Metrics;
  sleep?: (ms: number) => Promise<void>;
}

const strip = ({ outcome, labels, language }: Omit<Answer, "source" | "calledAt">): CachedAnswer => ({
  outcome,
  labels,
  language,
});

/** How long a job waits on another worker's live lease before it asks Google itself. */
const MAX_WAIT_MS = 120_000;

/**
 * Where a job's answer comes from, cheapest first: the pre-skip (fewer than MIN_WORDS words:
 * too_short, no call), the cache, a call already in flight for the same text (in this process,
 * or, through the cache's lease, in another), and only then Google. Errors of the cache's
 * Postgres propagate: the processor holds the queue for them as for a failed write.
 */
export function createAnswers(deps: AnswerDeps) {
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const inFlight = new Map<string, Promise<Omit<Answer, "source">>>();
  const avoided = (reason: "cache" | "too_short") =>
    deps.metrics.googleCallsAvoided.inc({ engine: deps.engine, reason });

  async function throughCache(cache: CacheStore, key: Buffer, text: string, chars: number) {
    const waitedSince = Date.now();
    for (;;) {
      const hit = await cache.get(key);
      if (hit) return { answer: { engine: deps.engine, ...hit }, fresh: false };
      if (await cache.lease(key)) return { answer: await callLeased(cache, key, text, chars), fresh: true };
      // Another worker is asking Google for this text, and renews its lease while it does: wait
      // for its answer, or for the lease to lapse if it died. A holder waiting out a long quota
      // hold is not waited for without end: past MAX_WAIT_MS this job asks for itself.
      if (Date.now() - waitedSince > MAX_WAIT_MS) {
        return { answer: await deps.callGoogle(text, chars), fresh: true };
      }
      await sleep(100);
    }
  }

  async function callLeased(cache: CacheStore, key: Buffer, text: string, chars: number) {
    const renewal = setInterval(() => void cache.renew(key).catch(() => {}), cache.renewMs);
    renewal.unref();
    let answer: Omit<Answer, "source">;
    try {
      answer = await deps.callGoogle(text, chars);
    } catch (err) {
      clearInterval(renewal);
      await cache.release(key).catch(() => {});
      throw err;
    }
    clearInterval(renewal);
    // the cache saves money; a failure to fill it must not cost the answer
    await cache.put(key, strip(answer)).catch(() => {});
    return answer;
  }

  return async function answer(text: string, chars: number): Promise<Answer> {
    if (deps.minWords > 0 && countWords(text, deps.minWords) < deps.minWords) {
      avoided("too_short");
      return { engine: deps.engine, outcome: "too_short", labels: [], language: null, source: "skipped" };
    }
    const { cache } = deps;
    if (!cache) return { ...(await deps.callGoogle(text, chars)), source: "google" };
    const key = cacheKey(deps.secret, deps.engine, text);
    const id = key.toString("base64");
    const leading = inFlight.get(id);
    if (leading) {
      avoided("cache");
      const { calledAt: _theirs, ...shared } = await leading;
      return { ...shared, source: "cache" };
    }
    const call = throughCache(cache, key, text, chars);
    const shared = call.then((r) => r.answer);
    inFlight.set(id, shared);
    shared.catch(() => {}).finally(() => inFlight.delete(id));
    const { answer, fresh } = await call;
    if (!fresh) avoided("cache");
    return { ...answer, source: fresh ? "google" : "cache" };
  };
}
