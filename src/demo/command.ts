import { z } from "zod";
import { bootstrapDatabase } from "../db/bootstrap";
import { createPool } from "../db/client";
import { runMigrations } from "../db/migrate";
import type { Env } from "../env";
import { createLogger } from "../platform/logger";
import { loadTaxonomy } from "../taxonomy/load";
import { DEMO_DAYS, DEMO_EVENTS, loadDemo, removeDemo } from "./load";

/** `census demo` options, as commander hands them over (strings). */
export const demoOptionsSchema = z.strictObject({
  remove: z.boolean().optional(),
  events: z.coerce.number().int().min(1).max(5_000_000).default(DEMO_EVENTS),
});

/** `census demo [--remove] [--events n]`: returns the exit code. */
export async function runDemoCommand(env: Env, raw: unknown): Promise<number> {
  const parsed = demoOptionsSchema.safeParse(raw);
  if (!parsed.success) {
    console.error(
      `census demo: ${parsed.error.issues.map((i) => `--${i.path.join(".")} ${i.message}`).join("; ")}`,
    );
    return 2;
  }
  const o = parsed.data;
  const log = createLogger(env.LOG_LEVEL === "info" ? "warn" : env.LOG_LEVEL);
  await runMigrations(env.DATABASE_URL, log);
  const pool = createPool(env.DATABASE_URL, { max: 2 });
  try {
    if (o.remove) {
      const n = await removeDemo(pool);
      console.log(`demo removed: ${n} synthetic events and their rollups deleted`);
      return 0;
    }
    const taxonomy = loadTaxonomy(env.MAPPING);
    await bootstrapDatabase(pool, { taxonomy, kMinEvents: env.K_MIN_EVENTS });
    const started = Date.now();
    const r = await loadDemo(pool, taxonomy, { events: o.events });
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(
      `demo loaded: ${r.events} synthetic events over the last ${DEMO_DAYS} days (${r.from.toISOString().slice(0, 10)} to ${r.to.toISOString().slice(0, 10)}) in ${seconds} s${r.removed ? `, replacing ${r.removed}` : ""}.\n` +
        "Every answer from them says engine=synthetic; `census demo --remove` deletes them.",
    );
    return 0;
  } finally {
    await pool.end();
  }
}
