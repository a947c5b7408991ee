import { lstatSync, mkdtempSync, readFileSync, readlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { alive } from "../src/embedded/state";
import { spawnCensus } from "./support/processes";
import { waitFor } from "./support/stack";

// `npm start` with embedded services, killed outright: its Postgres and redis-server must not
// keep running under init. And as root, from a directory the server's user cannot enter (a
// checkout in `mktemp -d`, or /root), it must start at all.

const asRoot = process.getuid?.() === 0;

describe("census start with embedded services, killed with SIGKILL", () => {
  it("its Postgres and redis-server end by themselves; the next start finds its data", async () => {
    const dir = mkdtempSync(join(tmpdir(), "census-crash-")); // 0700, as `mktemp -d` makes it
    const home = join(dir, ".census");
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      CENSUS_HOME: home,
      PORT: "0",
      LOG_LEVEL: "info",
    };
    let children: number[] = [];
    let moved: string | undefined;
    const start = spawnCensus(["start", "--embedded"], { env });
    try {
      const port = await start.listening({ stallMs: 90_000 });
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
      const line = /started an embedded Postgres [^"]*data in (\S+)( \([^)]*\))?/.exec(start.output());
      expect(line).not.toBeNull();
      if (asRoot) {
        // the user postgres cannot enter `dir`: the data is elsewhere, said so, and linked from home
        expect(line?.[2]).toBe(` (the user postgres, which runs it, cannot enter ${dir})`);
        moved = line?.[1] ?? "";
        expect(moved.startsWith(dir)).toBe(false);
        expect(lstatSync(join(home, "postgres")).isSymbolicLink()).toBe(true);
        expect(readlinkSync(join(home, "postgres"))).toBe(moved);
      } else {
        expect(line?.[1]).toBe(join(home, "postgres"));
      }
      children = JSON.parse(readFileSync(join(home, "services.json"), "utf8")).children;
      expect(children).toHaveLength(2); // Postgres and redis-server
      for (const pid of children) expect(alive(pid)).toBe(true);

      await start.stop("SIGKILL"); // node itself: no shutdown code runs
      const killedAt = Date.now();
      await waitFor(() => children.every((pid) => !alive(pid)), 60_000, 100);
      console.log(`[embedded-crash] services gone ${Date.now() - killedAt} ms after the SIGKILL`);

      const again = spawnCensus(["start", "--embedded"], { env });
      try {
        const port2 = await again.listening({ stallMs: 90_000 });
        expect((await fetch(`http://127.0.0.1:${port2}/readyz`)).status).toBe(200);
        expect(again.output()).toContain('"msg":"migrations applied"');
      } finally {
        expect(await again.stop()).toBe(0);
      }
    } finally {
      await start.stop("SIGKILL");
      // a red run must not leave them either
      for (const pid of children) if (alive(pid)) process.kill(pid, "SIGKILL");
      rmSync(dir, { recursive: true, force: true });
      if (moved) rmSync(dirname(moved), { recursive: true, force: true });
    }
  }, 300_000);
});
