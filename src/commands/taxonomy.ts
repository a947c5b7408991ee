import type { Command } from "commander";
import { z } from "zod";
import { loadEnv } from "../env";
import { MAPPING_SCHEMES } from "../taxonomy/mapping";
import { mappingOption, parseOptions } from "./options";

export const mappingSchema = z.object({ mapping: z.enum(MAPPING_SCHEMES).optional() });

export function taxonomy(program: Command) {
  program
    .command("taxonomy")
    .description("print the category table (markdown) generated from config/mapping/<scheme>.json")
    .addOption(mappingOption(MAPPING_SCHEMES))
    .action(async (raw: unknown) => {
      const o = parseOptions(mappingSchema, raw);
      const { loadTaxonomy } = await import("../taxonomy/load");
      const { renderCategoryTable } = await import("../taxonomy/table");
      console.log(renderCategoryTable(loadTaxonomy(o.mapping ?? loadEnv().MAPPING)));
    });
}
