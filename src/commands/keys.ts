import { type Command, Option } from "commander";
import { z } from "zod";
import { scopes } from "../auth/keys";
import { AppError } from "../platform/errors";
import { parseOptions } from "./options";
import { withServices } from "./services";

const createSchema = z.object({
  scope: z.array(z.enum(scopes)).min(1),
  name: z.string().optional(),
  quiet: z.boolean().default(false),
});

// Every keys command migrates first: a fresh database gets its tables before the first key.
const needs = { migrations: true, database: true } as const;

export function keys(program: Command) {
  const group = program.command("keys").description("manage API keys (only their hashes are stored)");

  group
    .command("create")
    .description("create a key and print it once")
    .addOption(
      new Option("--scope <scope...>", "scopes: ingest, read, admin").choices(scopes).makeOptionMandatory(),
    )
    .option("--name <name>", "a label for operators")
    .option("--quiet", "print only the key")
    .action(async (raw: unknown) => {
      const o = parseOptions(createSchema, raw);
      await withServices(needs, async ({ db }) => {
        const { createApiKey } = await import("../auth/keys");
        const created = await createApiKey(db, o.scope, o.name);
        if (o.quiet) return console.log(created.key);
        console.log(
          `id:     ${created.id}\nscopes: ${created.scopes.join(",")}\nkey:    ${created.key}\n(shown once: store it now)`,
        );
      });
    });

  group
    .command("list")
    .description("list keys (ids, names, scopes; never the keys)")
    .action(() =>
      withServices(needs, async ({ db }) => {
        const { listApiKeys } = await import("../auth/keys");
        for (const k of await listApiKeys(db)) {
          console.log(
            [k.id, k.scopes.join(","), k.name ?? "-", k.revokedAt ? "revoked" : "active"].join("\t"),
          );
        }
      }),
    );

  group
    .command("revoke <id>")
    .description("revoke a key by id (running APIs refuse it within their KEY_CACHE_TTL_MS)")
    .action((id: string) =>
      withServices(needs, async ({ db, env }) => {
        const { revokeApiKey } = await import("../auth/keys");
        if (!(await revokeApiKey(db, id))) throw new AppError("NOT_FOUND", `no active key with id ${id}`);
        console.log(
          `revoked ${id}: running APIs refuse it within KEY_CACHE_TTL_MS (${env.KEY_CACHE_TTL_MS / 1000} s)`,
        );
      }),
    );
}
