import type { Command } from "commander";
import { z } from "zod";
import { parseOptions } from "./options";
import { withServices } from "./services";

// `census catalogue reload|check`: the model catalogue (issue 21, README "Model catalogue").

const checkSchema = z.object({ json: z.boolean().default(false) });

export function catalogue(program: Command) {
  const cmd = program
    .command("catalogue")
    .description(
      "the model catalogue (open or closed, China or rest of world, size, reasoning): reload it, check it",
    );
  cmd
    .command("reload")
    .description(
      "load config/models/catalogue.json, with MODEL_CATALOGUE's file over it, into the database (the service does this at start)",
    )
    .action(async () => {
      await withServices({ migrations: true, database: true }, async ({ env, pool }) => {
        const { loadCatalogue } = await import("../catalogue/catalogue");
        const { storeCatalogue } = await import("../catalogue/store");
        const loaded = loadCatalogue(env.MODEL_CATALOGUE);
        const { entries, changed } = await storeCatalogue(pool, loaded);
        const units =
          changed > 0
            ? `; it changes the group or traits of ${changed} stored model(s), from the day after tomorrow (UTC) on: released units stay as they are`
            : "";
        console.log(`model catalogue ${loaded.version}: ${entries} entries loaded${units}`);
      });
    });
  cmd
    .command("check")
    .description(
      "list the models of stored events that the catalogue does not know (counted as unknown, never guessed), with their share of all events",
    )
    .option("--json", "print one JSON line per unknown model")
    .action(async (raw: unknown) => {
      const o = parseOptions(checkSchema, raw);
      await withServices({ migrations: true, database: true }, async ({ pool }) => {
        const { unknownModels } = await import("../catalogue/store");
        const { version, total, unknown } = await unknownModels(pool);
        if (o.json) return console.log(unknown.map((u) => JSON.stringify(u)).join("\n"));
        const share = unknown.reduce((s, u) => s + u.share, 0);
        // an empty table (a database no service has started on yet) knows no model at all
        console.log(
          version ? `model catalogue ${version}` : "no model catalogue loaded: run `census catalogue reload`",
        );
        console.log(
          `${unknown.length} unknown models: ${pct(share)} of ${total} stored events (add them to MODEL_CATALOGUE's file, then \`census catalogue reload\`)`,
        );
        if (unknown.length === 0) return;
        const { formatRows } = await import("../platform/table");
        console.log(formatRows(unknown.map((u) => ({ ...u, share: pct(u.share) }))));
      });
    });
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
