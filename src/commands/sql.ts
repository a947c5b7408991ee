import type { Command } from "commander";
import { z } from "zod";
import { parseOptions } from "./options";
import { withServices } from "./services";

const schema = z.object({ json: z.boolean().default(false) });

export function sql(program: Command) {
  program
    .command("sql <query>")
    .description("run one SQL statement on the service's database and print the rows (no psql needed)")
    .option("--json", "print the rows as JSON lines")
    .action(async (query: string, raw: unknown) => {
      const o = parseOptions(schema, raw);
      await withServices({ database: true }, async ({ pool }) => {
        // rows by position: two columns of one name are both kept
        const result = await pool.query<unknown[]>({ text: query, rowMode: "array" });
        const cols = (result.fields ?? []).map((f) => f.name);
        const { formatTable, uniqueNames } = await import("../platform/table");
        if (!o.json) return console.log(formatTable(cols, result.rows));
        const names = uniqueNames(cols);
        console.log(
          result.rows
            .map((r) => JSON.stringify(Object.fromEntries(names.map((n, i) => [n, r[i]]))))
            .join("\n"),
        );
      });
    });
}
