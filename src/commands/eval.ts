import type { Command } from "commander";
import { z } from "zod";
import { calibrationName } from "../eval/calibrations";
import { MAPPING_SCHEMES } from "../taxonomy/mapping";
import { mappingOption, parseOptions } from "./options";
import { withServices } from "./services";

const schema = z.object({
  mapping: z.enum(MAPPING_SCHEMES).optional(),
  json: z.boolean().default(false),
  save: calibrationName.optional(),
});

export function evalCommand(program: Command) {
  program
    .command("eval <file>")
    .description(
      "score the live path on labelled texts (JSONL or CSV: text, expected, id?): agreement, precision and recall, confusion matrix, coverage; stores no event",
    )
    .addOption(mappingOption(MAPPING_SCHEMES))
    .option("--json", "print the report as JSON")
    .option("--save <name>", "store the confusion matrix (counts only) as a calibration for ?adjust=<name>")
    .action(async (file: string, raw: unknown) => {
      const o = parseOptions(schema, raw);
      // the cache may answer (and remembers what the classifier said); no event is written
      await withServices({ migrations: true, database: true }, async (services) => {
        const { runEval } = await import("../eval/command");
        await runEval(services, file, o);
      });
    });
}
