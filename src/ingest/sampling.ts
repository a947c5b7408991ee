import { createHmac } from "node:crypto";

// Both functions are keyed with HMAC_SECRET so that neither the sample nor the event id can be
// recomputed from a request id by anyone without the secret. Distinct prefixes keep the two
// derivations independent: knowing which requests were sampled says nothing about their ids.

/** Stable, anonymous event id (also the BullMQ job id): HMAC-SHA256 of the router's request id. */
export function eventIdFor(secret: string, requestId: string): string {
  return createHmac("sha256", secret).update(`event\0${requestId}`).digest("hex");
}

/** A uniform number in [0, 1) derived from the request id: 53 bits of a keyed hash. */
export function sampleKey(secret: string, requestId: string): number {
  const digest = createHmac("sha256", secret).update(`sample\0${requestId}`).digest();
  // 53 bits: the most a double holds exactly, so every value below 1 is reachable and none equals 1.
  const high = digest.readUInt32BE(0) >>> 11; // 21 bits
  const low = digest.readUInt32BE(4); // 32 bits
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
