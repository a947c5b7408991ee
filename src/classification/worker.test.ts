import type { Job } from "bullmq";
import { UnrecoverableError } from "bullmq";
import { describe, expect, it } from "vitest";
import { failureReason, shortIds, withoutText } from "./worker";

const job = (attemptsMade: number, attempts = 3) => ({ attemptsMade, opts: { attempts } }) as unknown as Job;

describe("failureReason", () => {
  it.each([
    ["bad data, dropped", job(1), new UnrecoverableError("DATA_REJECTED"), "data_rejected"],
    ["not our job, dropped", job(1), new UnrecoverableError("JOB_INVALID"), "job_invalid"],
    [
      "crashed its workers too often, kept",
      job(0),
      new UnrecoverableError("job stalled more than allowable limit"),
      "stalled",
    ],
    ["attempts used up, kept", job(3), new Error("503 UNAVAILABLE"), "attempts_exhausted"],
    ["an attempt left: retried", job(1), new Error("503 UNAVAILABLE"), null],
    ["no job at all", undefined, new Error("x"), "attempts_exhausted"],
  ])("%s -> %s", (_name, j, err, reason) => {
    expect(failureReason(j, err)).toBe(reason);
  });
});

describe("withoutText", () => {
  const facts = { chars: 5, model: "m", observedHour: "2026-01-01T00:00:00.000Z", source: "live" };
  it.each([
    ["sealed", { ...facts, sealed: "v1.abc.def" }],
    ["in clear (older jobs)", { ...facts, text: "hello" }],
  ])("a job whose text is %s keeps its facts and no text", (_name, data) => {
    const scrubbed = withoutText(data as never);
    expect(JSON.stringify(scrubbed)).not.toMatch(/abc|hello/);
    expect(scrubbed).toMatchObject({ ...facts, text: "" });
    expect(scrubbed).not.toHaveProperty("sealed");
  });
});

describe("shortIds", () => {
  const id = "3f2a9c0d1e".padEnd(64, "7");
  it.each([
    [`could not renew lock for job ${id}`, "could not renew lock for job 3f2a9c0d1e"],
    [`Missing key for job ${id}. moveToFinished`, "Missing key for job 3f2a9c0d1e. moveToFinished"],
    ["Connection is closed.", "Connection is closed."],
    [`a 65-hex run ${id}a stays`, `a 65-hex run ${id}a stays`],
  ])("%s", (message, logged) => {
    expect(shortIds(message)).toBe(logged);
  });
});
