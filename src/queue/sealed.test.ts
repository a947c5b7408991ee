import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { AppError } from "../platform/errors";
import { createSealer, derivedPayloadKey, parsePayloadKeys } from "./sealed";

const SECRET = "s".repeat(32);
const OTHER_SECRET = "t".repeat(32);
const key = () => randomBytes(32);

describe("sealed job texts", () => {
  it.each([
    "Write a Python function that merges two sorted lists",
    "",
    "emoji 😀 and CJK 漢字, a lone surrogate \ud800 kept as is",
    "x".repeat(4000),
  ])("seal then open gives the text back: %#", (text) => {
    const sealer = createSealer(SECRET);
    const sealed = sealer.seal(text, "job-1");
    if (text.length > 8) expect(sealed).not.toContain(text.slice(0, 8));
    expect(sealer.open(sealed, "job-1")).toBe(text.replace("\ud800", "\ufffd"));
  });

  it("two seals of one text differ (a fresh IV each time): equal texts are not visible as equal", () => {
    const sealer = createSealer(SECRET);
    expect(sealer.seal("same", "j")).not.toBe(sealer.seal("same", "j"));
  });

  it("1,000 seals (past several refills of the IV pool) each have their own IV and all open", () => {
    const sealer = createSealer(SECRET);
    const all = Array.from({ length: 1000 }, (_, i) => sealer.seal(`text ${i}`, `job-${i}`));
    const ivs = all.map((s) =>
      Buffer.from(s.split(".")[2] ?? "", "base64")
        .subarray(0, 12)
        .toString("hex"),
    );
    expect(new Set(ivs).size).toBe(1000);
    expect(all.map((s, i) => sealer.open(s, `job-${i}`))).toEqual(all.map((_, i) => `text ${i}`));
  });

  const opens = (sealed: string, sealer = createSealer(SECRET), jobId = "job-1") => {
    try {
      sealer.open(sealed, jobId);
      return "opened";
    } catch (err) {
      return err instanceof AppError ? err.code : String(err);
    }
  };
  const sealed = createSealer(SECRET).seal("a prompt", "job-1");
  it.each([
    { name: "another job's id", run: () => opens(sealed, createSealer(SECRET), "job-2") },
    { name: "another secret", run: () => opens(sealed, createSealer(OTHER_SECRET)) },
    {
      name: "a flipped byte",
      run: () => opens(sealed.slice(0, -6) + (sealed.at(-6) === "A" ? "B" : "A") + sealed.slice(-5)),
    },
    { name: "a cut ciphertext", run: () => opens(sealed.slice(0, 20)) },
    { name: "not sealed at all", run: () => opens("a prompt in clear") },
  ])("refuses $name with PAYLOAD_UNREADABLE (retryable: the job is kept)", ({ run }) => {
    expect(run()).toBe("PAYLOAD_UNREADABLE");
  });

  it("rotation: the first PAYLOAD_KEY seals, older keys and the derived key still open", () => {
    const [newKey, oldKey] = [key(), key()];
    const derived = createSealer(SECRET).seal("from before PAYLOAD_KEY", "j");
    const old = createSealer(SECRET, [oldKey]).seal("from the old key", "j");
    const rotated = createSealer(SECRET, [newKey, oldKey]);
    expect(rotated.open(derived, "j")).toBe("from before PAYLOAD_KEY");
    expect(rotated.open(old, "j")).toBe("from the old key");
    const fresh = rotated.seal("new", "j");
    expect(createSealer(SECRET, [newKey]).open(fresh, "j")).toBe("new");
    expect(opens(fresh, createSealer(SECRET, [oldKey]), "j")).toBe("PAYLOAD_UNREADABLE");
  });

  it("parses PAYLOAD_KEY as hex or base64, 32 bytes each", () => {
    const k = key();
    expect(parsePayloadKeys(`${k.toString("hex")}, ${k.toString("base64")}`)).toEqual([k, k]);
    expect(parsePayloadKeys(undefined)).toEqual([]);
    expect(() => parsePayloadKeys("abcd")).toThrow(/32 bytes/);
  });

  it("the derived key depends on the secret only, and is not the secret", () => {
    expect(derivedPayloadKey(SECRET)).toEqual(derivedPayloadKey(SECRET));
    expect(derivedPayloadKey(SECRET)).not.toEqual(derivedPayloadKey(OTHER_SECRET));
    expect(derivedPayloadKey(SECRET).toString("utf8")).not.toContain(SECRET.slice(0, 8));
  });
});
