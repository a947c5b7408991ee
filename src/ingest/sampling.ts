import { createHmac } from "node:crypto";
import siphash24 from "siphash24";

// Both derivations are keyed by HMAC_SECRET, so neither the sample nor the event id can be
// recomputed from a request id without the secret, and they use independent keys: knowing which
// requests were sampled says nothing about their ids.

/** Stable, anonymous event id (also the BullMQ job id): HMAC-SHA256 of the router's request id. */
export function eventIdFor(secret: string, requestId: string): string {
  return createHmac("sha256", secret).update(`event\0${requestId}`).digest("hex");
}

const samplingKeys = new Map<string, Uint8Array>();
const scratch = Buffer.allocUnsafe(2048);
/** Views of `scratch` by length, made once: a fresh view per hash was most of its cost. */
const views: Buffer[] = [];
const out = new Uint8Array(8);
const outView = new DataView(out.buffer);

/** The sampling key: 16 bytes derived from the secret, so the secret itself never keys two functions. */
function samplingKey(secret: string): Uint8Array {
  let key = samplingKeys.get(secret);
  if (!key) {
    key = new Uint8Array(
      createHmac("sha256", secret).update("prompt-census sampling key v1").digest().subarray(0, 16),
    );
    samplingKeys.set(secret, key);
  }
  return key;
}

/** The id's UTF-8 bytes: in `scratch` when they surely fit (3 bytes at most per UTF-16 unit). */
function utf8(requestId: string): Uint8Array {
  if (requestId.length * 3 > scratch.length) return Buffer.from(requestId);
  const length = scratch.write(requestId);
  let view = views[length];
  if (!view) {
    view = scratch.subarray(0, length);
    views[length] = view;
  }
  return view;
}

/**
 * A uniform number in [0, 1) derived from the request id: 53 bits of SipHash-2-4 under a key
 * derived from the secret. SipHash is a keyed PRF built for short inputs; it runs ~3x faster
 * than HMAC-SHA256 here, which a backfill reading millions of lines needs.
 */
export function sampleKey(secret: string, requestId: string): number {
  siphash24(utf8(requestId), samplingKey(secret), out, true);
  // 53 bits: the most a double holds exactly, so every value below 1 is reachable and none equals 1.
  const high = outView.getUint32(0) >>> 11; // 21 bits
  const low = outView.getUint32(4); // 32 bits
  return (high * 2 ** 32 + low) / 2 ** 53;
}

/** Deterministic: the same request id under the same secret and rate always gets the same answer. */
export function isSampled(secret: string, requestId: string, rate: number): boolean {
  if (rate >= 1) return true;
  if (rate <= 0) return false;
  return sampleKey(secret, requestId) < rate;
}

export function observedHour(createdAt: string | undefined, now: Date): Date {
  const at = createdAt ? new Date(createdAt) : now;
  const hour = new Date(at.getTime());
  hour.setUTCMinutes(0, 0, 0);
  return hour;
}
