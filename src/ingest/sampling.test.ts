import { describe, expect, it } from "vitest";
import { eventIdFor, isSampled, observedHour, sampleKey, siphash } from "./sampling";

const SECRET = "s".repeat(32);

describe("isSampled", () => {
  it.each([
    { rate: 0, expected: false },
    { rate: 1, expected: true },
  ])("rate $rate is all-or-nothing", ({ rate, expected }) => {
    for (let i = 0; i < 1000; i++) expect(isSampled(SECRET, `req-${i}`, rate)).toBe(expected);
  });

  it("is deterministic for a request id", () => {
    const first = Array.from({ length: 500 }, (_, i) => isSampled(SECRET, `r${i}`, 0.3));
    const again = Array.from({ length: 500 }, (_, i) => isSampled(SECRET, `r${i}`, 0.3));
    expect(again).toEqual(first);
  });

  it.each([0.0025, 0.05, 0.5])("samples close to rate %s over 200k ids", (rate) => {
    const n = 200_000;
    let hits = 0;
    for (let i = 0; i < n; i++) if (isSampled(SECRET, `request-${i}`, rate)) hits++;
    // within 5 standard deviations of the binomial mean
    const sd = Math.sqrt(n * rate * (1 - rate));
    expect(Math.abs(hits - n * rate)).toBeLessThan(5 * sd);
  });

  it("is nested: a request sampled at a low rate is sampled at every higher rate", () => {
    for (let i = 0; i < 5000; i++) {
      if (isSampled(SECRET, `n${i}`, 0.01)) expect(isSampled(SECRET, `n${i}`, 0.1)).toBe(true);
    }
  });

  it("depends on the secret", () => {
    const a = Array.from({ length: 200 }, (_, i) => sampleKey(SECRET, `k${i}`));
    const b = Array.from({ length: 200 }, (_, i) => sampleKey("t".repeat(32), `k${i}`));
    expect(a).not.toEqual(b);
    for (const k of a) expect(k >= 0 && k < 1).toBe(true);
    // one secret after another, item by item: each item under its own secret's key
    const mixed = Array.from({ length: 200 }, (_, i) => [
      sampleKey(SECRET, `k${i}`),
      sampleKey("t".repeat(32), `k${i}`),
    ]);
    expect(mixed).toEqual(a.map((k, i) => [k, b[i]]));
  });
});

describe("eventIdFor", () => {
  it("is a stable 64-hex HMAC that does not contain the request id", () => {
    const id = eventIdFor(SECRET, "req-abc");
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(eventIdFor(SECRET, "req-abc")).toBe(id);
    expect(eventIdFor(SECRET, "req-abd")).not.toBe(id);
    expect(id).not.toContain("abc");
  });
});

describe("sampleKey", () => {
  // Pinned: the same id must get the same decision in every version, or a backfill of history
  // samples other items than live ingest did. Ids of every UTF-8 length, the longest the schema
  // takes, one past the scratch buffer, and one after a longer one (a stale view would show).
  it.each([
    ["req-1", 0.951895955988895],
    ["", 0.7108591089184915],
    ["é漢😀-id", 0.04014725016672338],
    ["x".repeat(512), 0.4909503920449775],
    ["y".repeat(700), 0.8765418340917658],
    ["req-1", 0.951895955988895],
  ])("%# is pinned", (id, value) => {
    expect(sampleKey("s".repeat(32), id)).toBe(value);
  });
});

describe("observedHour", () => {
  const now = new Date("2026-11-24T09:41:12.345Z");
  it.each([
    { createdAt: undefined, out: "2026-11-24T09:00:00.000Z" },
    { createdAt: "2025-05-03T17:59:59.999Z", out: "2025-05-03T17:00:00.000Z" },
    { createdAt: "2025-05-03T23:30:00+02:00", out: "2025-05-03T21:00:00.000Z" },
  ])("$createdAt -> $out", ({ createdAt, out }) => {
    expect(observedHour(createdAt, now).toISOString()).toBe(out);
  });
});

describe("siphash", () => {
  // The SipHash paper's vectors: key 00..0f, data 00..(n-1); the hash little-endian.
  const key = new Uint8Array(16).map((_, i) => i);
  const hex = (v: DataView) => Buffer.from(v.buffer, v.byteOffset, 8).toString("hex");
  it.each([
    [0, "310e0edd47db6f72"], // 0x726fdb47dd0e0e31
    [15, "e545be4961ca29a1"], // 0xa129ca6149be45e5
    [63, "724506eb4c328a95"], // 0x958a324ceb064572
  ])("matches the reference vector of %i bytes", (n, out) => {
    expect(
      hex(
        siphash(
          new Uint8Array(n).map((_, i) => i),
          key,
        ),
      ),
    ).toBe(out);
  });

  it("hashes a string as its UTF-8 bytes, past the module's first page too", () => {
    const other = new Uint8Array(16).fill(9);
    for (const text of ["", "req-1", "é漢😀-id", "z".repeat(700_000), "req-1"]) {
      const bytes = new Uint8Array(Buffer.from(text));
      const fromBytes = hex(siphash(bytes, other));
      expect(hex(siphash(text, other))).toBe(fromBytes);
      expect(hex(siphash(text, key))).not.toBe(fromBytes); // the key in use is the one given
    }
  });
});
