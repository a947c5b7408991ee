import { createHmac } from "node:crypto";
import type pg from "pg";
import { z } from "zod";
import { googleCategorySchema } from "../queue/jobs";
import { outcomes } from "../vocabulary";

// The classification cache: Google's answer by a keyed hash of exactly what Google was sent, so
// a text already classified (an agent's system prompt before every user turn, a retried request
// under a new id) is paid for once. The text is never stored: the key is an HMAC under a key
// derived from HMAC_SECRET, the value is the answer (all labels with confidences, the language,
// the outcome), so a later threshold or mapping change still applies to cached answers.
//
// It lives in Postgres, not in Redis: Redis runs with noeviction for the queue, where every
// entry (~260 bytes measured) would take room the queue needs and a full Redis refuses ingest;
// a Postgres row (~370 bytes on disk) costs ~0.2 ms to read, nothing next to a Google call, and
// outlives a lost Redis.

/** What the answer depends on besides the text: bump it when Google's model changes. */
export const CLASSIFIER_MODEL = "language-v2/classifyText";

const cachedSchema = z.object({
  outcome: z.enum(outcomes),
  labels: z.array(googleCategorySchema),
  language: z.string().nullable(),
});
export type CachedAnswer = z.infer<typeof cachedSchema>;

const cacheKeys = new Map<string, Buffer>();

/** Pure: the cache key of a text for an engine. Independent of the sampling and event-id keys. */
export function cacheKey(secret: string, engine: string, text: string, model = CLASSIFIER_MODEL): Buffer {
  let key = cacheKeys.get(secret);
  if (!key) {
    key = createHmac("sha256", secret).update("prompt-census classify cache key v1").digest();
    cacheKeys.set(secret, key);
  }
  return createHmac("sha256", key).update(`${engine}\0${model}\0${text}`).digest();
}

// A lease lets one worker ask Google for a key while the others wait for its answer. It is short
// and renewed while the call is in flight, so a worker that dies (kill -9, OOM) holds the text
// back for seconds, not for a long fixed lease: its jobs come back after their BullMQ lock
// expires and must find the lease gone by then.
const LEASE_SECONDS = 10;
const RENEW_MS = 3000;

/** Answers a worker remembers at most (~1 KB each): the hot set of a backfill is far smaller. */
const MEMO_ENTRIES = 10_000;

/**
 * The cache in Postgres. `memoMs` > 0 (workers) also keeps hits in this process's memory for that
 * long, never past the entry's own expiry: a hot cache (a backfill whose texts repeat) then costs
 * no query per job. Answers only, by keyed hash: no text is held.
 */
export function createCacheStore(pool: pg.Pool, ttlSeconds: number, memoMs = 0) {
  const memo = new Map<string, { answer: CachedAnswer; until: number }>();
  const remember = (id: string, answer: CachedAnswer, expiresAt: Date) => {
    if (memo.size >= MEMO_ENTRIES) memo.delete(memo.keys().next().value as string);
    memo.set(id, { answer, until: Math.min(expiresAt.getTime(), Date.now() + memoMs) });
  };
  return {
    async get(key: Buffer): Promise<CachedAnswer | undefined> {
      const id = memoMs > 0 ? key.toString("base64") : "";
      const known = memo.get(id);
      if (known && known.until > Date.now()) return known.answer;
      if (known) memo.delete(id);
      const { rows } = await pool.query<{ answer: unknown; expires_at: Date }>(
        "SELECT answer, expires_at FROM classify_cache WHERE key = $1 AND answer IS NOT NULL AND expires_at > now()",
        [key],
      );
      const parsed = cachedSchema.safeParse(rows[0]?.answer);
      if (!parsed.success) return undefined;
      if (memoMs > 0 && rows[0]) remember(id, parsed.data, rows[0].expires_at);
      return parsed.data;
    },
    /** True when this caller may ask Google: no answer yet, and no live lease by another. */
    async lease(key: Buffer): Promise<boolean> {
      const { rowCount } = await pool.query(
        `INSERT INTO classify_cache (key, answer, expires_at) VALUES ($1, NULL, now() + make_interval(secs => $2))
         ON CONFLICT (key) DO UPDATE SET answer = NULL, expires_at = excluded.expires_at
         WHERE classify_cache.expires_at <= now()`,
        [key, LEASE_SECONDS],
      );
      return rowCount === 1;
    },
    /** Keeps a lease alive while its holder is still asking Google. */
    async renew(key: Buffer): Promise<void> {
      await pool.query(
        `UPDATE classify_cache SET expires_at = now() + make_interval(secs => $2)
         WHERE key = $1 AND answer IS NULL`,
        [key, LEASE_SECONDS],
      );
    },
    async put(key: Buffer, answer: CachedAnswer): Promise<void> {
      await pool.query(
        `INSERT INTO classify_cache (key, answer, expires_at) VALUES ($1, $2, now() + make_interval(secs => $3))
         ON CONFLICT (key) DO UPDATE SET answer = excluded.answer, expires_at = excluded.expires_at`,
        [key, JSON.stringify(answer), ttlSeconds],
      );
    },
    /** Gives a lease back without an answer (the call failed), so another may try at once. */
    async release(key: Buffer): Promise<void> {
      await pool.query("DELETE FROM classify_cache WHERE key = $1 AND answer IS NULL", [key]);
    },
    /** Deletes expired entries, a batch at a time; returns how many. */
    async sweep(batch = 10_000): Promise<number> {
      const { rowCount } = await pool.query(
        `DELETE FROM classify_cache WHERE key IN (
           SELECT key FROM classify_cache WHERE expires_at < now() ORDER BY expires_at LIMIT $1)`,
        [batch],
      );
      return rowCount ?? 0;
    },
    leaseMs: LEASE_SECONDS * 1000,
    renewMs: RENEW_MS,
  };
}

export type CacheStore = ReturnType<typeof createCacheStore>;
