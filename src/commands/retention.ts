import type { Command } from "commander";
import { z } from "zod";
import { parseOptions, positiveInt } from "./options";
import { withServices } from "./services";

const schema = z.object({
  keepMonths: positiveInt(),
  dryRun: z.boolean().default(false),
});

export function retention(program: Command) {
  program
    .command("retention")
    .description(
      "drop stored events and labels of the months before the last N (whole month partitions: detach, then drop). " +
        "The daily rollups keep those months' aggregates, so every stats answer stays as it was; " +
        "`census remap` and census_rebuild_rollups() recompute only the kept months from then on",
    )
    .requiredOption("--keep-months <n>", "months kept: this month (UTC) and the n - 1 before it")
    .option("--dry-run", "list the months that would go; drop nothing")
    .action(async (raw: unknown) => {
      const o = parseOptions(schema, raw);
      await withServices({ database: true, migrations: true }, async ({ pool }) => {
        const { dropMonth, ensurePartitions, keptFrom, monthPartitions, monthsToDrop } = await import(
          "../db/partitions"
        );
        // events of old months still in DEFAULT get their own month first, so they go with it
        if (!o.dryRun) await ensurePartitions(pool);
        const months = await monthPartitions(pool);
        const now = new Date();
        const drop = monthsToDrop(
          months.map((m) => m.month),
          now,
          o.keepMonths,
        );
        const verb = o.dryRun ? "would drop" : "dropping";
        console.log(`keeping events from ${keptFrom(now, o.keepMonths)} on; ${verb} ${drop.length} month(s)`);
        for (const month of drop) {
          const estimate = months.find((m) => m.month === month)?.eventsEstimate ?? 0;
          console.log(`  ${month.slice(0, 7)}  ~${estimate.toLocaleString("en")} events`);
          if (!o.dryRun) await dropMonth(pool, month);
        }
        if (drop.length > 0 && !o.dryRun)
          console.log("rollups unchanged: they keep the dropped months' aggregates");
      });
    });
}
