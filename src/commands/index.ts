// `census <command>`: one file per command in this folder; src/cli.ts only registers them.
//
// How to add a command (e.g. `census demo`):
//   1. src/commands/demo.ts exports `demo(program: Command)`, which declares the command with
//      commander (`.command`, `.description`, `.option`/`.addOption` with help text, `.default()`
//      and `.choices()` shown in --help) and an action that:
//   2. parses what commander collected with a zod schema: `const o = parseOptions(schema, opts)`
//      (./options.ts): types come from the schema, no `as`; a bad value is a USAGE error (exit 2).
//   3. asks ./services.ts for what it uses, and nothing else:
//      `await withServices({ database: true, migrations: true }, async ({ db, env, log }) => ...)`
//      (database: pool + drizzle; queue: the classify queue and its Redis; migrations: apply them
//      first; deps: the whole composition root, for commands that ingest). They close at the end.
//   4. imports feature modules lazily (`await import("../demo/...")`) so `census --help` stays fast,
//      throws AppError codes (src/platform/errors.ts) for failures: src/cli.ts prints `CODE: detail`
//      and exits with the code's exit code; a command that ends with another code sets process.exitCode.
//   5. is added to `commands` below, and its --help page to test/cli.test.ts's list.

import type { Command } from "commander";
import { backfill } from "./backfill";
import { catalogue } from "./catalogue";
import { demo } from "./demo";
import { emulator } from "./emulator";
import { evalCommand } from "./eval";
import { floor } from "./floor";
import { keys } from "./keys";
import { migrate } from "./migrate";
import { partitions } from "./partitions";
import { queue } from "./queue";
import { rebuild } from "./rebuild";
import { remap } from "./remap";
import { retention } from "./retention";
import { roles } from "./roles";
import { sql } from "./sql";
import { taxonomy } from "./taxonomy";
import { url } from "./url";

/** In the order `census --help` lists them. */
export const commands: ((program: Command) => void)[] = [
  roles,
  migrate,
  emulator,
  taxonomy,
  remap,
  partitions,
  retention,
  catalogue,
  floor,
  rebuild,
  backfill,
  demo,
  evalCommand,
  keys,
  queue,
  sql,
  url,
];
