import type { Command } from "commander";
import { z } from "zod";
import { loadEnv } from "../env";
import { createLogger } from "../platform/logger";
import { parseOptions } from "./options";

// One image, several roles: `start` (API + worker), `api`, `worker`.
const roleList = [
  [
    "start",
    "run the HTTP API and the classification worker in one process (migrates first)",
    { api: true, worker: true },
  ],
  ["api", "run only the HTTP API", { api: true, worker: false }],
  ["worker", "run only the classification worker", { api: false, worker: true }],
] as const;

const schema = z.object({ embedded: z.boolean().default(false) });

export function roles(program: Command) {
  for (const [name, description, which] of roleList) {
    program
      .command(name)
      .description(description)
      .option(
        "--embedded",
        "start private Postgres and Redis (under CENSUS_HOME) even when the local defaults answer; as CENSUS_EMBEDDED=1",
      )
      .action(async (raw: unknown) => {
        const o = parseOptions(schema, raw);
        const { run } = await import("../runtime");
        const env = loadEnv();
        await run(env, which, createLogger(env.LOG_LEVEL), { embedded: o.embedded });
      });
  }
}
