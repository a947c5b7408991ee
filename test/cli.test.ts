import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { promisify } from "node:util";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { spawnCensus } from "./support/processes";
import { BACKSTOP_MS, limitConcurrency } from "./support/progress";
import { waitFor } from "./support/stack";
import { dropExtraDatabase, extraDatabaseUrl, TEST_REDIS_URL } from "./support/urls";

// The command line as an operator uses it: `census <command>` through bin/census.js.

const run = promisify(execFile);
const BIN = "bin/census.js";

// A database that does not exist yet (this run's own): `census start` must create and migrate it.
const fresh = new URL(extraDatabaseUrl("smoke"));
const env = {
  ...process.env,
  DATABASE_URL: fresh.toString(),
  REDIS_URL: TEST_REDIS_URL,
  QUEUE_PREFIX: `smoke${randomBytes(4).toString("hex")}`,
  PORT: "0",
  CLASSIFIER: "auto",
  GOOGLE_API_KEY: "",
  LANGUAGE_EMULATOR_HOST: "",
  HMAC_SECRET: "",
};

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
afterAll(async () => {
  // the service's queue keys under this run's prefix
  const queue = new Queue("classify", { prefix: env.QUEUE_PREFIX, connection: { url: TEST_REDIS_URL } });
  await queue.obliterate({ force: true });
  await queue.close();
  await dropExtraDatabase(fresh.toString());
});

/** The subcommands a `--help` page lists (commander's "Commands:" section). */
function subcommands(help: string): string[] {
  const section = help.split(/^Commands:$/m)[1] ?? "";
  return [...section.matchAll(/^ {2}([a-z][\w-]*)/gm)].map((m) => m[1] ?? "").filter((c) => c !== "help");
}

describe("census --help", () => {
  it(
    "every command, found by walking the help pages, has a help page of its own",
    async () => {
      const seen: string[] = [];
      // each page is a node process: as many at once as there are cores
      const slot = limitConcurrency(availableParallelism());
      const walk = async (path: string[]): Promise<void> => {
        const { stdout } = await slot(() => run("node", [BIN, ...path, "--help"], { env }));
        expect(stdout, `census ${path.join(" ")} --help`).toMatch(/^Usage: census/);
        seen.push(path.join(" "));
        await Promise.all(subcommands(stdout).map((c) => walk([...path, c])));
      };
      await walk([]);
      // the walk really went deep: every command of src/commands/ has its page
      expect(seen.sort()).toEqual(
        [
          "",
          ...[
            "start",
            "api",
            "worker",
            "migrate",
            "emulator",
            "taxonomy",
            "remap",
            "partitions",
            "retention",
            "floor",
            "rebuild",
            "catalogue",
            "catalogue reload",
            "catalogue check",
            "backfill",
            "demo",
            "eval",
          ],
          ...["keys", "keys create", "keys list", "keys revoke"],
          ...["queue", "queue status", "queue retry", "queue purge", "sql", "url"],
        ].sort(),
      );
    },
    BACKSTOP_MS,
  );

  it(
    "each command's page lists its own options",
    async () => {
      const pages: [string[], string[]][] = [
        [["start"], ["--embedded"]],
        [["emulator"], ["--port <n>", "(default: 8085)", "--error-rate-429 <p>", "--min-words <n>"]],
        [["taxonomy"], ["--mapping <scheme>", '"study-2025"']],
        [
          ["floor"],
          ["--from <day>", "--interval <interval>", 'default: "month"', "--engine <engine>", "--json"],
        ],
        [
          ["backfill"],
          [
            "--format <format>",
            "--id-field <path>",
            "--cost-field <path>",
            "--resume <run>",
            "--verify <run>",
            "--max-line-bytes <n>",
            "(default: 500)",
          ],
        ],
        [
          ["keys", "create"],
          ["--scope <scope...>", "--name <name>", "--quiet"],
        ],
        [["demo"], ["--remove", "--events <n>"]],
        [["rebuild"], ["--dirty"]],
        [["retention"], ["--keep-months <n>", "--dry-run"]],
        [["eval"], ["<file>", "--mapping <scheme>", "--json", "--save <name>"]],
        [["sql"], ["<query>", "--json"]],
        [["catalogue", "check"], ["--json"]],
        [["url"], ["<service>"]],
      ];
      const slot = limitConcurrency(availableParallelism());
      await Promise.all(
        pages.map(([path, options]) =>
          slot(async () => {
            const { stdout } = await run("node", [BIN, ...path, "--help"], { env });
            for (const option of options) expect(stdout, `census ${path.join(" ")} --help`).toContain(option);
          }),
        ),
      );
    },
    BACKSTOP_MS,
  );
});

describe("census: one error renderer", () => {
  // Each fails before it needs a service: `CODE: detail` on stderr, the code's exit code.
  it.each([
    [["url", "mysql"], 2, "USAGE: (arguments): postgres or redis"],
    [["emulator", "--port", "99999"], 2, "USAGE: --port: "],
    [["retention", "--keep-months", "0"], 2, "USAGE: --keep-months: "],
    [["floor", "--from", "2025-13-45"], 2, "USAGE: --from: must be a date, YYYY-MM-DD"],
    [["floor", "--from", "2025-06-01", "--to", "2025-05-01"], 2, "USAGE: --from must be before --to"],
    [["backfill"], 2, "USAGE: give a file, - for stdin, --resume <run> or --verify <run>"],
    [["backfill", "x.ndjson", "--chunk", "0"], 2, "USAGE: --chunk: "],
    [["backfill", "x.ndjson", "--since", "soon"], 2, "USAGE: --since: must be an ISO date or time"],
    [
      ["backfill", "x.ndjson", "--verify", "bf_x", "--dry-run"],
      2,
      "USAGE: --verify reads a run's input again",
    ],
  ])(
    "census %s exits %i",
    async (args, code, line) => {
      const failed = await run("node", [BIN, ...args], { env }).catch(
        (err: { code: number; stderr: string }) => err,
      );
      expect(failed).toMatchObject({
        code,
        stderr: expect.stringMatching(new RegExp(`^${literally(line)}`)),
      });
    },
    BACKSTOP_MS,
  );
});

const literally = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

describe("fresh machine: npm start, the README's example, a tagged event", () => {
  it(
    "starts API + worker with the built-in emulator, takes a post, stores tags, and stops on SIGTERM to npm",
    async () => {
      // `npm start` exactly as the README has it: a supervisor signals the npm process, not node
      const start = spawnCensus(["start"], { env, command: ["npm"] });
      const client = new pg.Client({ connectionString: fresh.toString() });
      try {
        await start.waitForOutput('"msg":"worker started"');
        const out = start.output();
        const port = Number(/"port":(\d+),"docs"/.exec(out)?.[1]);
        expect(out).toContain("created database");
        expect(out).toMatch(/NO GOOGLE CREDENTIALS/);
        // the start-up check reads the real Redis's settings and says when it can lose work
        const probe = new Redis(TEST_REDIS_URL);
        const [, aof] = (await probe.config("GET", "appendonly")) as string[];
        probe.disconnect();
        expect(out.includes("REDIS CAN LOSE ACCEPTED PROMPTS: appendonly is off")).toBe(aof !== "yes");

        const { stdout: key } = await run("node", [BIN, "keys", "create", "--scope", "ingest", "--quiet"], {
          env,
        });
        const res = await fetch(`http://127.0.0.1:${port}/v1/prompts`, {
          method: "POST",
          headers: { authorization: `Bearer ${key.trim()}`, "content-type": "application/json" },
          body: JSON.stringify({
            requestId: "req-0001",
            model: "anthropic/claude-sonnet-4.5",
            sampleRate: 1,
            prompt: "Write a Python function that merges two sorted lists and explain its complexity",
            promptTokens: 18,
            completionTokens: 240,
            costUsd: 0.0041,
          }),
        });
        expect(res.status).toBe(202);

        await client.connect();
        let rows: Record<string, unknown>[] = [];
        await waitFor(async () => {
          ({ rows } = await client.query(
            "SELECT e.category, e.engine, l.tag FROM prompt_events e JOIN prompt_labels l ON l.event_id = e.id",
          ));
          return rows.length > 0;
        });
        expect(rows[0]).toEqual({ category: "programming", engine: "emulator", tag: "programming-other" });

        const nodePid = Number(/"pid":(\d+),"database"/.exec(out)?.[1]);
        expect(nodePid).toBeGreaterThan(0);
        expect(nodePid).not.toBe(start.child.pid); // npm's child, not npm

        start.child.kill("SIGTERM"); // to npm
        expect(await start.exited).toBe(0);
        // the service itself shut down gracefully, and no process is left serving
        expect(start.output()).toContain('"signal":"SIGTERM","timeoutMs"');
        expect(start.output()).toContain('"step":"worker","msg":"closed"');
        await waitFor(() => !alive(nodePid));
        await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
      } finally {
        await client.end().catch(() => {});
        await start.stop("SIGKILL"); // a failed test: npm, the shell and node, all of its group
      }
    },
    BACKSTOP_MS,
  );
});

// after the fresh-machine test, which must be the one to create the database
describe("census keys", () => {
  it(
    "create, list and revoke a key; a second revoke says there is none",
    async () => {
      const opts = { env };
      const { stdout: created } = await run(
        "node",
        [BIN, "keys", "create", "--scope", "read", "--name", "cli-test"],
        opts,
      );
      const id = /^id:\s+(key_\w+)/m.exec(created)?.[1] ?? "";
      const key = /^key:\s+(pc_\S+)/m.exec(created)?.[1] ?? "";
      expect(id).not.toBe("");
      const listed = (await run("node", [BIN, "keys", "list"], opts)).stdout;
      expect(listed).toContain(`${id}\tread\tcli-test\tactive`);
      expect(listed).not.toContain(key); // never the key itself
      expect((await run("node", [BIN, "keys", "revoke", id], opts)).stdout).toMatch(
        new RegExp(`^revoked ${id}`),
      );
      expect((await run("node", [BIN, "keys", "list"], opts)).stdout).toContain(
        `${id}\tread\tcli-test\trevoked`,
      );
      const again = await run("node", [BIN, "keys", "revoke", id], opts).catch(
        (err: { code: number; stderr: string }) => err,
      );
      expect(again).toMatchObject({ code: 1, stderr: `NOT_FOUND: no active key with id ${id}\n` });
    },
    BACKSTOP_MS,
  );
});

describe("census sql, floor and --version", () => {
  it(
    "sql prints every column, two of one name included, as a table and as JSON",
    async () => {
      const sql = "SELECT count(*) AS n, count(*) + 1 AS n FROM generate_series(1, 3)";
      const { stdout } = await run("node", [BIN, "sql", sql], { env });
      expect(stdout).toBe("n | n\n--+--\n3 | 4\n(1 row)\n");
      const json = await run("node", [BIN, "sql", sql, "--json"], { env });
      expect(JSON.parse(json.stdout)).toEqual({ n: "3", n_2: "4" });
    },
    BACKSTOP_MS,
  );

  it(
    "floor runs with no options: the last 26 weeks, of the engine the window has",
    async () => {
      const { stdout } = await run("node", [BIN, "floor"], { env });
      expect(stdout).toMatch(/^engine (google|emulator|synthetic), \d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2}/);
    },
    BACKSTOP_MS,
  );

  it(
    "logs one readable line on a terminal and JSON otherwise",
    async () => {
      const logEnv = { ...env, LOG_LEVEL: "info" };
      const piped = await run("node", [BIN, "migrate"], { env: logEnv });
      expect(JSON.parse(piped.stdout.trim().split("\n").at(-1) ?? "")).toMatchObject({
        msg: "migrations applied",
      });
      // `script` gives the command a terminal, as an operator's shell does
      const tty = await run("script", ["-qc", `node ${BIN} migrate`, "/dev/null"], { env: logEnv });
      expect(tty.stdout).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] .*INFO.*: .*migrations applied/m);
      expect(tty.stdout).not.toContain('"msg"');
    },
    BACKSTOP_MS,
  );

  it(
    "--version prints the package's version",
    async () => {
      const { version } = JSON.parse(readFileSync("package.json", "utf8")) as { version: string };
      expect((await run("node", [BIN, "--version"], { env })).stdout.trim()).toBe(version);
    },
    BACKSTOP_MS,
  );
});
