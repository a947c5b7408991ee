import type { Command } from "commander";
import { withServices } from "./services";

export function migrate(program: Command) {
  program
    .command("migrate")
    .description("create the database if missing and apply the SQL migrations in migrations/")
    .action(() => withServices({ migrations: true, verbose: true }, async () => {}));
}
