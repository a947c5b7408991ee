import { type Command, Option } from "commander";
import { z } from "zod";
import { numberIn, parseOptions } from "./options";

const schema = z.object({
  port: numberIn(0, 65535).int(),
  latencyMs: numberIn(0, 60_000),
  errorRate429: numberIn(0, 1),
  errorRate503: numberIn(0, 1),
  minWords: numberIn(0, 1000),
});

export function emulator(program: Command) {
  program
    .command("emulator")
    .description("run a local HTTP emulator of Google's documents:classifyText (v1 and v2)")
    .addOption(new Option("--port <n>", "port on 127.0.0.1").default(8085))
    .addOption(new Option("--latency-ms <n>", "added latency per request").default(0))
    .addOption(
      new Option("--error-rate-429 <p>", "probability of an injected 429 RESOURCE_EXHAUSTED").default(0),
    )
    .addOption(new Option("--error-rate-503 <p>", "probability of an injected 503 UNAVAILABLE").default(0))
    .addOption(new Option("--min-words <n>", "fewer words than this answer 'too few tokens'").default(3))
    .action(async (raw: unknown) => {
      const o = parseOptions(schema, raw);
      const { startEmulator } = await import("../emulator/server");
      const running = await startEmulator(o.port, o);
      console.log(
        `classifyText emulator on http://${running.host}  (export LANGUAGE_EMULATOR_HOST=${running.host})`,
      );
    });
}
