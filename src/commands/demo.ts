import type { Command } from "commander";
import { z } from "zod";
import { parseOptions } from "./options";
import { withServices } from "./services";

const DEMO_EVENTS = 200_000; // src/demo/load.ts's default, repeated here so --help stays fast

const schema = z.object({
  remove: z.boolean().default(false),
  events: z.coerce.number().int().min(1).max(5_000_000).default(DEMO_EVENTS),
});

export function demo(program: Command) {
  program
    .command("demo")
    .description(
      "load a demo data set (engine synthetic: the last 120 days, ~200k events, marked in every answer); --remove deletes it",
    )
    .option("--remove", "delete every synthetic event and its rollups")
    .option("--events <n>", `how many events to generate (default: ${DEMO_EVENTS})`)
    .action(async (raw: unknown) => {
      const o = parseOptions(schema, raw);
      await withServices({ migrations: true, database: true }, async ({ pool, env }) => {
        const { DEMO_DAYS, loadDemo, removeDemo } = await import("../demo/load");
        if (o.remove) {
          const n = await removeDemo(pool);
          return console.log(`demo removed: ${n} synthetic events and their rollups deleted`);
        }
        const { loadTaxonomy } = await import("../taxonomy/load");
        const { bootstrapDatabase } = await import("../db/bootstrap");
        const taxonomy = loadTaxonomy(env.MAPPING);
        await bootstrapDatabase(pool, {
          taxonomy,
          kMinEvents: env.K_MIN_EVENTS,
          floorGrain: env.FLOOR_GRAIN,
        });
        const started = Date.now();
        const r = await loadDemo(pool, taxonomy, { events: o.events });
        const seconds = ((Date.now() - started) / 1000).toFixed(1);
        const day = (d: Date) => d.toISOString().slice(0, 10);
        console.log(
          `demo loaded: ${r.events} synthetic events over the last ${DEMO_DAYS} days (${day(r.from)} to ${day(r.to)}) in ${seconds} s${r.removed ? `, replacing ${r.removed}` : ""}.\n` +
            "Every answer from them says engine=synthetic; `census demo --remove` deletes them.",
        );
      });
    });
}
