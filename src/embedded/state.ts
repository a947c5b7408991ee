import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";

// `.census/services.json`: which embedded services the running `census start` owns, so that
// `census keys create`, `backfill`, `sql` and the rest, run in a second terminal, use them too.

const stateSchema = z.object({
  pid: z.number().int(),
  postgres: z.string().optional(),
  redis: z.string().optional(),
  /** Processes started on the owner's behalf, stopped if an owner that died left them behind. */
  children: z.array(z.number().int()).default([]),
});
export type ServicesState = z.infer<typeof stateSchema>;

const file = (home: string) => join(home, "services.json");

/** Is the process running? A zombie (exited, not yet reaped by its new parent) is not. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
  const stat = `/proc/${pid}/stat`;
  return !(existsSync(stat) && / Z /.test(readFileSync(stat, "utf8").replace(/^.*\)/, ")")));
}

/** The state a living owner wrote; undefined when there is none or its owner is gone. */
export function readState(home: string): ServicesState | undefined {
  const found = readAnyState(home);
  return found && alive(found.pid) ? found : undefined;
}

export function readAnyState(home: string): ServicesState | undefined {
  if (!existsSync(file(home))) return undefined;
  const parsed = stateSchema.safeParse(JSON.parse(readFileSync(file(home), "utf8")));
  return parsed.success ? parsed.data : undefined;
}

/** It holds a database password: readable by its owner only. */
export function writeState(home: string, state: ServicesState): void {
  mkdirSync(home, { recursive: true });
  writeFileSync(file(home), `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file(home), 0o600);
}

export function clearState(home: string, pid = process.pid): void {
  if (readAnyState(home)?.pid === pid) rmSync(file(home), { force: true });
}
