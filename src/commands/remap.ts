import type { Command } from "commander";
import { MAPPING_SCHEMES } from "../taxonomy/mapping";
import { mappingOption, parseOptions } from "./options";
import { withServices } from "./services";
import { mappingSchema } from "./taxonomy";

export function remap(program: Command) {
  program
    .command("remap")
    .description(
      "re-derive stored tags and categories under a mapping scheme, MAPPING's by default (no Google calls; idempotent)",
    )
    .addOption(mappingOption(MAPPING_SCHEMES))
    .action(async (raw: unknown) => {
      const o = parseOptions(mappingSchema, raw);
      await withServices({ migrations: true, database: true, verbose: true }, async ({ env, pool }) => {
        const { loadTaxonomy } = await import("../taxonomy/load");
        const { registerTaxonomy } = await import("../db/bootstrap");
        const { remap: remapEvents } = await import("../taxonomy/remap");
        const taxonomy = loadTaxonomy(o.mapping ?? env.MAPPING);
        await registerTaxonomy(pool, taxonomy);
        const result = await remapEvents(pool, taxonomy);
        console.log(`mapping ${result.version}: ${result.events} events and ${result.labels} labels updated`);
      });
    });
}
