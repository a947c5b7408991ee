import type { Command } from "commander";
import { createLogger } from "../platform/logger";
import { withServices } from "./services";

export function queue(program: Command) {
  const group = program
    .command("queue")
    .description("inspect the classify queue; re-queue or purge jobs that failed for good");

  group
    .command("status")
    .description("job counts by state (failed: kept for a retry, text included)")
    .action(() =>
      withServices({ queue: true }, async ({ queue }) => {
        const { queueCounts } = await import("../queue/failed");
        for (const [state, n] of Object.entries(await queueCounts(queue))) console.log(`${state}\t${n}`);
      }),
    );

  group
    .command("retry")
    .description("re-queue every failed job with fresh attempts (after fixing what made them fail)")
    .action(() =>
      withServices({ queue: true }, async ({ queue }) => {
        const { retryFailed } = await import("../queue/failed");
        console.log(`${await retryFailed(queue)} failed jobs re-queued`);
      }),
    );

  group
    .command("purge")
    .description("delete every failed job and its text (they will never be classified)")
    .action(() =>
      withServices({ queue: true }, async ({ queue, redis }) => {
        const { purgeFailed } = await import("../queue/failed");
        // its log goes to stderr: stdout is the count
        const log = createLogger("warn", process.stderr);
        console.log(`${await purgeFailed(queue, redis, log)} failed jobs deleted`);
      }),
    );
}
