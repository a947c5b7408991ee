import { type Command, Option } from "commander";
import { z } from "zod";
import { AppError } from "../platform/errors";
import { engines, intervals } from "../vocabulary";
import { isoDay, parseOptions } from "./options";
import { withServices } from "./services";

const schema = z.object({
  from: isoDay().optional(),
  to: isoDay().optional(),
  interval: z.enum(intervals),
  engine: z.enum(engines).optional(),
  json: z.boolean().default(false),
});

export function floor(program: Command) {
  program
    .command("floor")
    .description(
      "for operators: how much of the sample the privacy floor releases per period, and how (model units, author pools, category pools); never per cell",
    )
    .option("--from <day>", "first day (UTC), inclusive (default: 26 weeks before --to)")
    .option("--to <day>", "last day (UTC), exclusive (default: tomorrow)")
    .addOption(new Option("--interval <interval>", "period of each row").choices(intervals).default("month"))
    .addOption(
      new Option(
        "--engine <engine>",
        "whose events (default: google if the window has any, else the engine it has)",
      ).choices(engines),
    )
    .option("--json", "print the rows as JSON lines")
    .action(async (raw: unknown) => {
      const o = parseOptions(schema, raw);
      const { resolveRange } = await import("../stats/schema");
      const range = resolveRange(o);
      if (!range.valid) throw new AppError("USAGE", "--from must be before --to, at most ~5 years apart");
      await withServices({ database: true, readOnly: true }, async ({ pool, env }) => {
        const { floorReport, engineInWindow, grainReport } = await import("../stats/floor");
        const engine = o.engine ?? (await engineInWindow(pool, range.from, range.to));
        const rows = await floorReport(pool, { ...o, ...range, engine, grain: env.FLOOR_GRAIN });
        // and what each FLOOR_GRAIN would release of the window, to choose one
        const grains = await grainReport(pool, { ...range, engine, interval: o.interval });
        if (o.json) return console.log([...rows, ...grains].map((r) => JSON.stringify(r)).join("\n"));
        console.log(`engine ${engine}, ${range.from} to ${range.to} (exclusive), by ${o.interval}`);
        const notice = (await import("../stats/engine")).engineNotice(engine);
        if (notice) console.log(notice);
        const { formatRows } = await import("../platform/table");
        const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
        console.log(formatRows(rows.map((r) => ({ ...r, released: pct(r.released) }))));
        console.log(`\nreleased with each FLOOR_GRAIN (now ${env.FLOOR_GRAIN}):`);
        console.log(formatRows(grains.map((g) => ({ ...g, released: pct(g.released) }))));
      });
    });
}
