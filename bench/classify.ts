import type { Classifier } from "../src/classification/classifier";
import { createGoogleClassifier } from "../src/classification/google";
import { startEmulator } from "../src/emulator/server";
import { load, row } from "./lib";

// The Google client (REST) against the emulator, against raw fetch to the same emulator.

const TEXTS = [
  "Refactor this javascript function so that it stops leaking memory",
  "Translate the following paragraph into Spanish please",
  "Let's roleplay: you are my dungeon master for tonight's campaign",
  "What is the capital of Australia and why was it chosen",
];

export async function benchClassify(calls: number) {
  console.log(`\n## classify: ${calls} classifyText calls to the local emulator, 64 in flight`);
  const emulator = await startEmulator(0);
  const url = `http://${emulator.host}/v2/documents:classifyText`;
  const raw = await load(calls, 64, async (i) => {
    const r = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ document: { type: "PLAIN_TEXT", content: TEXTS[i % 4] } }),
    });
    await r.json();
    return r.ok;
  });
  row("baseline: raw fetch to the emulator", raw);
  const client: Classifier = createGoogleClassifier({ emulatorHost: emulator.host });
  const viaClient = await load(
    calls,
    64,
    async (i) => (await client.classify(TEXTS[i % 4] ?? "")).labels.length > 0,
  );
  row("@google-cloud/language REST client", viaClient, raw);
  await client.close();
  await emulator.close();
  return { emulatorHost: emulator.host, clientPerSecond: viaClient.perSecond };
}
