import type { Logger } from "./logger";

type Step = readonly [name: string, close: () => Promise<unknown>];

/**
 * Runs close steps in order on SIGTERM/SIGINT (HTTP server, then workers, which finish their active
 * jobs, then queues and connections), bounded by `timeoutMs`. A second signal forces exit.
 */
export function onShutdown(log: Logger, timeoutMs: number, steps: () => readonly Step[]): void {
  let stopping = false;
  const handler = async (signal: NodeJS.Signals) => {
    if (stopping) {
      log.warn({ signal }, "second signal: exiting now");
      process.exit(1);
    }
    stopping = true;
    log.info({ signal, timeoutMs }, "shutting down");
    const timer = setTimeout(() => {
      log.error("shutdown timed out: exiting with jobs possibly still active (they will be retried)");
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    for (const [name, close] of steps()) {
      try {
        await close();
        log.info({ step: name }, "closed");
      } catch (err) {
        log.warn({ step: name, msg: (err as Error).message }, "close failed");
      }
    }
    clearTimeout(timer);
    process.exit(0);
  };
  process.on("SIGTERM", handler);
  process.on("SIGINT", handler);
}
