import { readFileSync } from "node:fs";
import { Command } from "commander";
import { commands } from "./commands";
import { renderCliError } from "./platform/cli-error";
import { fromRoot } from "./platform/paths";

// `census <command>`: one image, several roles. Registrations only: each command is a file in
// src/commands/ (how to add one: src/commands/index.ts). Commands import their modules lazily so
// `census --help` and `census emulator` start fast and need no database.

const { version } = JSON.parse(readFileSync(fromRoot("package.json"), "utf8")) as { version: string };

const program = new Command("census")
  .description("prompt-census: what people use LLMs for, from anonymous tags")
  .version(version, "-V, --version", "print the version")
  .showHelpAfterError();

for (const register of commands) register(program);

// Every failure, from every command, as one line `CODE: detail` and the code's exit code.
program.parseAsync().catch((err: unknown) => process.exit(renderCliError(err)));
