import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomFillSync } from "node:crypto";
import { AppError } from "../platform/errors";

// A job's text is sealed (AES-256-GCM) before it reaches Redis and opened only inside the worker,
// so Redis, its AOF and its snapshots hold ciphertext: reading Redis's disk, a replica or a
// backup gives no prompt. The job id (the event id, itself an HMAC) is the associated data, so a
// sealed text moved onto another job does not open.
//
// Keys: PAYLOAD_KEY is a comma-separated list of 32-byte keys (64 hex characters, or base64);
// the first seals, all open. A key derived from HMAC_SECRET always opens too, and seals when
// PAYLOAD_KEY is unset: a fresh install is encrypted with nothing to configure, and moving to a
// separate key later strands no waiting job. Rotation: put the new key first, keep the old one
// until the queue has drained (`census queue status`), then drop it.

const FORMAT = "s1";
const IV_BYTES = 12;
const TAG_BYTES = 16;

// randomBytes(12) costs ~5 us a call (a trip into OpenSSL each), and a fully sampled batch seals
// 1,000 texts: IVs are cut from a pool filled from the same CSPRNG, each bytes used once.
const ivPool = Buffer.allocUnsafe(4096);
let ivAt = ivPool.length;

/** A fresh random IV: a view into the pool, read at once by the cipher and Buffer.concat. */
function freshIv(): Buffer {
  if (ivAt + IV_BYTES > ivPool.length) {
    randomFillSync(ivPool);
    ivAt = 0;
  }
  ivAt += IV_BYTES;
  return ivPool.subarray(ivAt - IV_BYTES, ivAt);
}

export interface Sealer {
  seal(text: string, jobId: string): string;
  open(sealed: string, jobId: string): string;
}

/** Not secret: which key sealed a payload, so a rotation knows which to try. */
function keyId(key: Buffer): string {
  return createHmac("sha256", key).update("prompt-census payload key id").digest("hex").slice(0, 8);
}

/** Pure: the key derived from HMAC_SECRET, independent of the sampling and event-id keys. */
export function derivedPayloadKey(secret: string): Buffer {
  return Buffer.from(hkdfSync("sha256", secret, "", "prompt-census payload key v1", 32));
}

/** Parses PAYLOAD_KEY's list; throws on a key that is not 32 bytes. */
export function parsePayloadKeys(value: string | undefined): Buffer[] {
  if (!value) return [];
  return value
    .split(",")
    .map((k) => k.trim())
    .filter(Boolean)
    .map((k) => {
      const key = /^[0-9a-f]{64}$/i.test(k) ? Buffer.from(k, "hex") : Buffer.from(k, "base64");
      if (key.length !== 32)
        throw new Error("each PAYLOAD_KEY must be 32 bytes: 64 hex characters or base64");
      return key;
    });
}

export function createSealer(secret: string, payloadKeys: readonly Buffer[] = []): Sealer {
  const keys = [...payloadKeys, derivedPayloadKey(secret)];
  const sealing = keys[0] as Buffer;
  const sealingId = keyId(sealing);
  const byId = new Map(keys.map((k) => [keyId(k), k]));
  return {
    seal(text, jobId) {
      const iv = freshIv();
      const cipher = createCipheriv("aes-256-gcm", sealing, iv);
      cipher.setAAD(Buffer.from(jobId));
      const body = Buffer.concat([cipher.update(text, "utf8"), cipher.final()]);
      return `${FORMAT}.${sealingId}.${Buffer.concat([iv, body, cipher.getAuthTag()]).toString("base64")}`;
    },
    open(sealed, jobId) {
      const [format, id, data] = sealed.split(".");
      const key = id === undefined ? undefined : byId.get(id);
      if (format !== FORMAT || data === undefined || !key) {
        throw new AppError(
          "PAYLOAD_UNREADABLE",
          "the job's text was sealed with a key this worker does not hold (check PAYLOAD_KEY)",
        );
      }
      const raw = Buffer.from(data, "base64");
      try {
        const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, IV_BYTES));
        decipher.setAAD(Buffer.from(jobId));
        decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
        return Buffer.concat([
          decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)),
          decipher.final(),
        ]).toString("utf8");
      } catch (cause) {
        throw new AppError(
          "PAYLOAD_UNREADABLE",
          "the job's sealed text does not open: altered, or another job's",
          {
            cause,
          },
        );
      }
    },
  };
}
