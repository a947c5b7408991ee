import type { Command } from "commander";
import { withServices } from "./services";

export function partitions(program: Command) {
  program
    .command("partitions")
    .description(
      "create the month partitions of events and labels now (this month and 3 ahead, and a month of its own for every event " +
        "in DEFAULT, e.g. after a backfill of old logs), then list them; the service does the same at start and hourly",
    )
    .action(() =>
      withServices({ database: true, migrations: true }, async ({ pool }) => {
        const { ensurePartitions, monthPartitions } = await import("../db/partitions");
        const made = await ensurePartitions(pool);
        const months = await monthPartitions(pool);
        console.log(`${made} partition(s) created; ${months.length} months:`);
        for (const m of months)
          console.log(`  ${m.month.slice(0, 7)}  ~${m.eventsEstimate.toLocaleString("en")} events`);
      }),
    );
}
