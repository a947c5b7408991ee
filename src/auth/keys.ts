import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "../db/client";
import { apiKeys } from "../db/schema";

// ingest: POST prompts; read: stats and the dashboard; metrics: /metrics (exact counters, below
// the privacy floor); admin: all of them and the queue UI.
export const scopes = ["ingest", "read", "metrics", "admin"] as const;
export type Scope = (typeof scopes)[number];

const KEY_PREFIX = "pc_";

export function hashKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

/** Constant-time equality of two hex digests of equal length. */
export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, "hex");
  const y = Buffer.from(b, "hex");
  return x.length === y.length && timingSafeEqual(x, y);
}

/** `admin` can do everything; other scopes only what they name. */
export function hasScope(granted: readonly string[], needed: Scope): boolean {
  return granted.includes(needed) || granted.includes("admin");
}

export interface CreatedKey {
  id: string;
  key: string;
  scopes: Scope[];
}

/** Creates a key and stores only its hash; the key itself is returned once and never again. */
export async function createApiKey(db: Db, keyScopes: Scope[], name?: string): Promise<CreatedKey> {
  const id = `key_${randomBytes(6).toString("hex")}`;
  const key = `${KEY_PREFIX}${randomBytes(32).toString("base64url")}`;
  await db.insert(apiKeys).values({ id, keyHash: hashKey(key), scopes: keyScopes, name: name ?? null });
  return { id, key, scopes: keyScopes };
}

export async function revokeApiKey(db: Db, id: string): Promise<boolean> {
  const rows = await db
    .update(apiKeys)
    .set({ revokedAt: new Date() })
    .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
    .returning({ id: apiKeys.id });
  return rows.length > 0;
}

export async function listApiKeys(db: Db) {
  return db
    .select({
      id: apiKeys.id,
      name: apiKeys.name,
      scopes: apiKeys.scopes,
      createdAt: apiKeys.createdAt,
      revokedAt: apiKeys.revokedAt,
    })
    .from(apiKeys)
    .orderBy(apiKeys.createdAt);
}

export interface KeyRecord {
  id: string;
  scopes: string[];
}

/**
 * Verifies a presented key: the lookup is by hash (so timing reveals nothing about stored keys),
 * then the digests are compared in constant time. Results are cached briefly so ingest at router
 * scale does not cost a query per request; a revoked key stops working within `ttlMs`.
 */
export function createKeyVerifier(db: Db, ttlMs = 30_000) {
  const cache = new Map<string, { record: KeyRecord | null; until: number }>();
  // The last key verified, as presented: a router sends one key on every request, and hashing it
  // cost ~8 us of each (SHA-256 through node:crypto's bindings), the cache hit included.
  let last: { key: string; record: KeyRecord | null; until: number } | undefined;
  return async function verify(key: string): Promise<KeyRecord | null> {
    if (last?.key === key && last.until > Date.now()) return last.record;
    if (!key.startsWith(KEY_PREFIX) || key.length > 200) return null;
    const digest = hashKey(key);
    const hit = cache.get(digest);
    if (hit && hit.until > Date.now()) {
      last = { key, ...hit };
      return hit.record;
    }
    const [row] = await db
      .select({ id: apiKeys.id, keyHash: apiKeys.keyHash, scopes: apiKeys.scopes })
      .from(apiKeys)
      .where(and(eq(apiKeys.keyHash, digest), isNull(apiKeys.revokedAt)))
      .limit(1);
    const record = row && sameHash(row.keyHash, digest) ? { id: row.id, scopes: row.scopes } : null;
    if (cache.size > 10_000) cache.clear();
    cache.set(digest, { record, until: Date.now() + ttlMs });
    last = { key, record, until: Date.now() + ttlMs };
    return record;
  };
}

export type KeyVerifier = ReturnType<typeof createKeyVerifier>;
