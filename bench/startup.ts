import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import type { Env } from "../src/env";
import { rssMb, spawnCensus } from "../test/support/processes";

// Start-up of `census api` until /healthz answers, and its resident memory then: TypeScript run
// through tsx (how the image ran before) against the build in dist/ (how it runs now).

async function once(command: string[], env: Env) {
  const started = performance.now();
  const api = spawnCensus(["api"], {
    command,
    env: {
      ...process.env,
      DATABASE_URL: env.DATABASE_URL,
      REDIS_URL: env.REDIS_URL,
      PORT: "0",
      LOG_LEVEL: "info",
      QUEUE_PREFIX: `startup${randomBytes(3).toString("hex")}`,
    },
  });
  try {
    const port = await api.listening();
    for (;;) {
      const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
    }
    return { ms: performance.now() - started, rss: rssMb(api.child.pid ?? 0) };
  } finally {
    await api.stop();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

export async function benchStartup(env: Env, runs: number) {
  console.log(`\n## startup: census api to a /healthz answer, median of ${runs} runs`);
  execFileSync("node", ["scripts/build.mjs"], { stdio: "inherit" });
  const results: Record<string, { ms: number; rss: number }> = {};
  for (const [name, command] of [
    ["baseline: src/ through tsx", ["node", "--import", "tsx", "src/cli.ts"]],
    ["dist/ (npm run build)", ["node", "dist/cli.js"]],
  ] as const) {
    const samples = [];
    for (let i = 0; i < runs; i++) samples.push(await once([...command], env));
    results[name] = { ms: median(samples.map((s) => s.ms)), rss: median(samples.map((s) => s.rss)) };
  }
  const base = results["baseline: src/ through tsx"];
  for (const [name, r] of Object.entries(results)) {
    const ratio =
      base && r !== base
        ? ` | ${(r.ms / base.ms).toFixed(2)}x time, ${(r.rss / base.rss).toFixed(2)}x memory`
        : "";
    console.log(
      `${name.padEnd(34)} ${r.ms.toFixed(0).padStart(6)} ms  RSS ${String(r.rss).padStart(4)} MB${ratio}`,
    );
  }
}
