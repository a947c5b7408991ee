import { execFile } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { alive } from "../src/embedded/state";
import { spawnCensus } from "./support/processes";
import { waitFor } from "./support/stack";

// The README's first command on a machine with no Postgres or Redis: `npm start` brings its own.
// This machine has both running, so `--embedded` forces what a bare machine would get.

const run = promisify(execFile);
const home = mkdtempSync(join(tmpdir(), "census-embedded-"));
chmodSync(home, 0o755); // as root, the embedded Postgres runs as the user postgres, who must enter it
afterAll(() => rmSync(home, { recursive: true, force: true }));

// A bare environment: no service URLs, no Google, a free port.
const env: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  CENSUS_HOME: home,
  PORT: "0",
  LOG_LEVEL: "info",
};
const census = (...args: string[]) => run("node", ["bin/census.js", ...args], { env });

const README_SQL =
  "SELECT e.category, e.engine, l.tag FROM prompt_events e JOIN prompt_labels l ON l.event_id = e.id";

describe("npm start on a machine without Postgres and Redis", () => {
  it("starts embedded ones; the README's key, curl and SQL steps show a tagged event; all stop with it", async () => {
    const start = spawnCensus(["start", "--", "--embedded"], { env, command: ["npm"] });
    let children: number[] = [];
    try {
      const port = await start.listening({ stallMs: 90_000 });
      await start.waitForOutput('"msg":"worker started"');
      const out = start.output();
      expect(out).toMatch(/started an embedded Postgres .*data in .*postgres/);
      expect(out).toMatch(/started an embedded Redis .*data in .*redis/);
      const state = JSON.parse(readFileSync(join(home, "services.json"), "utf8"));
      children = state.children;
      expect(state.postgres).not.toContain(":5432/");
      expect(state.redis).not.toContain(":6379");

      // a second terminal: other commands find the running embedded services by themselves
      const key = (await census("keys", "create", "--scope", "ingest", "--quiet")).stdout.trim();
      const res = await fetch(`http://127.0.0.1:${port}/v1/prompts`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({
          requestId: "req-0001",
          model: "anthropic/claude-sonnet-4.5",
          sampleRate: 1,
          prompt: "Write a Python function that merges two sorted lists and explain its complexity",
        }),
      });
      expect(res.status).toBe(202);
      let table = "";
      await waitFor(async () => {
        table = (await census("sql", README_SQL)).stdout;
        return table.includes("(1 row)");
      });
      expect(table).toMatch(/programming\s+\|\s+emulator\s+\|\s+programming-other/);
      expect((await census("url", "postgres")).stdout.trim()).toBe(state.postgres);
    } finally {
      expect(await start.stop()).toBe(0); // SIGTERM to npm: a graceful stop
    }
    // both stopped with it: no state, no redis-server, no postmaster lock
    expect(existsSync(join(home, "services.json"))).toBe(false);
    expect(children.length).toBeGreaterThan(0);
    for (const pid of children) expect(alive(pid)).toBe(false);
    expect(existsSync(join(home, "postgres", "postmaster.pid"))).toBe(false);

    // its data stays in CENSUS_HOME: a second start sees the event again
    const again = spawnCensus(["start", "--embedded"], { env });
    try {
      await again.listening({ stallMs: 90_000 });
      expect((await census("sql", README_SQL)).stdout).toContain("(1 row)");
    } finally {
      expect(await again.stop()).toBe(0);
    }
  }, 240_000);

  it("with no redis-server to run or build, says how to install one, and stops the Postgres it started", async () => {
    // PATH as this machine's, but without redis-server; redis-memory-server pointed at a download
    // that fails at once and at an empty cache, so nothing can provide a Redis
    const path = mkdtempSync(join(tmpdir(), "census-noredis-"));
    for (const dir of (process.env.PATH ?? "").split(":")) {
      if (!existsSync(dir)) continue;
      for (const file of readdirSync(dir)) {
        if (!file.startsWith("redis-") && !existsSync(join(path, file)))
          symlinkSync(join(dir, file), join(path, file));
      }
    }
    const bare = mkdtempSync(join(tmpdir(), "census-noredis-home-"));
    chmodSync(bare, 0o755);
    try {
      const err = await run("node", ["bin/census.js", "start", "--embedded"], {
        env: {
          ...env,
          PATH: path,
          CENSUS_HOME: bare,
          REDISMS_DOWNLOAD_URL: "http://127.0.0.1:1/redis-stable.tar.gz",
          REDISMS_DOWNLOAD_DIR: join(bare, "redis-binaries"),
        },
      }).catch((e: { code: number; stdout: string; stderr: string }) => e);
      expect(err).toMatchObject({ code: 1 });
      const { stderr, stdout } = err as { stderr: string; stdout: string };
      expect(stderr).toContain("there is no redis-server to start");
      expect(stderr).toContain("sudo apt-get install -y redis-server");
      expect(stderr).toContain("brew install redis");
      expect(stderr).toContain("docker run");
      expect(stdout).toContain("started an embedded Postgres"); // it had started, and was stopped:
      expect(existsSync(join(bare, "postgres", "postmaster.pid"))).toBe(false);
    } finally {
      rmSync(path, { recursive: true, force: true });
      rmSync(bare, { recursive: true, force: true });
    }
  }, 120_000);

  it("a set URL that does not answer is named, with what to do, not a bare ECONNREFUSED", async () => {
    const err = await run("node", ["bin/census.js", "keys", "list"], {
      env: { ...env, DATABASE_URL: "postgres://census:secret@127.0.0.1:1/census" },
    }).catch((e: { code: number; stderr: string }) => e);
    expect(err).toMatchObject({ code: 1 });
    const { stderr } = err as { stderr: string };
    expect(stderr).toContain(
      "DATABASE_URL points to postgres://census:***@127.0.0.1:1/census and nothing answers there",
    );
    expect(stderr).not.toContain("secret");
    expect(stderr).not.toContain("ECONNREFUSED");
  });
});
