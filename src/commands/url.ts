import type { Command } from "commander";
import { z } from "zod";
import { parseOptions } from "./options";
import { servicesEnv } from "./services";

const schema = z.enum(["postgres", "redis"], "postgres or redis");

export function url(program: Command) {
  program
    .command("url <service>")
    .description(
      'print the URL of the database (postgres) or queue (redis) in use, e.g. psql "$(npx census url postgres)"',
    )
    .action(async (raw: unknown) => {
      const service = parseOptions(schema, raw);
      const env = await servicesEnv();
      console.log(service === "postgres" ? env.DATABASE_URL : env.REDIS_URL);
    });
}
