import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ClassifierError } from "../src/classification/classifier";
import { createGoogleClassifier } from "../src/classification/google";
import { type RunningEmulator, startEmulator } from "../src/emulator/server";
import { json } from "./support/stack";

// The real @google-cloud/language client against the emulator over real HTTP, the way
// `LANGUAGE_EMULATOR_HOST` wires it in development and benchmarks.

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startEmulator(0);
});
afterAll(() => emulator.close());

describe("emulator with the real client", () => {
  it("classifies over plain HTTP with no credentials and reports engine emulator", async () => {
    const classifier = createGoogleClassifier({ emulatorHost: emulator.host });
    expect(classifier.engine).toBe("emulator");
    const result = await classifier.classify("Refactor this javascript function to remove the bug");
    expect(result.language).toBe("en");
    expect(result.labels[0]).toEqual({
      name: "/Computers & Electronics/Programming/Other",
      confidence: 0.91,
    });
    await classifier.close();
  });

  it.each([
    ["[[emulate:429]] some text here", "quota"],
    ["[[emulate:503]] some text here", "unavailable"],
    ["[[emulate:403]] some text here", "auth"],
    ["short", "too_short"],
    ["[[emulate:lang=sw]] some text here", "unsupported_language"],
  ])("%s -> ClassifierError %s", async (text, kind) => {
    const classifier = createGoogleClassifier({ emulatorHost: emulator.host });
    const err = await classifier.classify(text).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClassifierError);
    expect((err as ClassifierError).kind).toBe(kind);
    await classifier.close();
  });

  it("serves v1 with Google's JSON shapes, numeric enums and the V2 model option", async () => {
    const url = `http://${emulator.host}/v1/documents:classifyText?$alt=json%3Benum-encoding=int`;
    const post = (body: unknown) =>
      fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const legacy = await json(await post({ document: { type: 1, content: "debug my python code today" } }));
    expect(legacy.categories[0].name).toBe("/Computers & Electronics/Programming");
    const v2 = await json(
      await post({
        document: { type: "PLAIN_TEXT", content: "debug my python code today" },
        classificationModelOptions: { v2Model: { contentCategoriesVersion: 2 } },
      }),
    );
    expect(v2.categories[0].name).toBe("/Computers & Electronics/Programming/Other");
    const error = await post({ document: { type: 1, content: "hi" } });
    expect(error.status).toBe(400);
    expect(await json(error)).toEqual({
      error: {
        code: 400,
        status: "INVALID_ARGUMENT",
        message: "Invalid text content: too few tokens (words) to process.",
      },
    });
  });

  it("injects errors at configured rates and adds latency", async () => {
    const flaky = await startEmulator(0, { errorRate429: 1, latencyMs: 20 });
    const res = await fetch(`http://${flaky.host}/v2/documents:classifyText`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ document: { content: "a perfectly normal sentence here" } }),
    });
    expect(res.status).toBe(429);
    await flaky.close();
  });
});
