import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

// What operators rely on in compose.yaml and the Dockerfile. (`.ci/run` also validates the file
// with docker-compose and lints the Dockerfile; no Docker daemon exists here to run either.)

type Service = {
  image?: string;
  command?: string[] | string;
  healthcheck?: { test?: unknown; disable?: boolean };
  depends_on?: Record<string, { condition: string }>;
  deploy?: { replicas?: number };
  environment?: Record<string, string>;
};
// merge: the file shares the census services' settings through a YAML anchor (<<: *census)
const compose = parse(readFileSync("compose.yaml", "utf8"), { merge: true }) as {
  services: Record<string, Service>;
};
const s = compose.services;

describe("compose.yaml", () => {
  it("has Postgres, Redis, a one-shot migrate, the API and two workers", () => {
    expect(Object.keys(s).sort()).toEqual(["api", "migrate", "postgres", "redis", "worker"]);
    expect(s.postgres?.image).toMatch(/^postgres:1[7-9]/);
    expect(s.redis?.image).toMatch(/^redis:7/);
    expect(s.worker?.deploy?.replicas).toBe(2);
    expect(s.migrate?.command).toEqual(["migrate"]);
  });

  it("runs Redis the way docs/reliability.md asks", () => {
    const args = ((s.redis?.command ?? []) as string[]).join(" ");
    expect(args).toContain("--appendonly yes");
    expect(args).toContain("--appendfsync everysec");
    expect(args).toContain("--maxmemory-policy noeviction");
    expect(s.redis?.command).toEqual(expect.arrayContaining(["--save", ""]));
  });

  it("checks the health of every long-running service, and starts them in order", () => {
    for (const name of ["postgres", "redis", "api", "worker"]) {
      expect(s[name]?.healthcheck?.test, `${name} health check`).toBeDefined();
    }
    expect(s.migrate?.depends_on).toEqual({ postgres: { condition: "service_healthy" } });
    for (const name of ["api", "worker"]) {
      expect(s[name]?.depends_on).toEqual({
        migrate: { condition: "service_completed_successfully" },
        postgres: { condition: "service_healthy" },
        redis: { condition: "service_healthy" },
      });
      expect(s[name]?.environment?.MIGRATE_ON_START).toBe("false");
      expect(s[name]?.environment?.NODE_ENV).toBe("production");
    }
  });
});

describe("Dockerfile", () => {
  const dockerfile = readFileSync("Dockerfile", "utf8");
  it("builds in one stage and runs in a slim, non-root one with tini and a health check", () => {
    expect(dockerfile.match(/^FROM /gm)).toHaveLength(2);
    expect(dockerfile).toMatch(/RUN npm run build/);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK .*\n.*\/healthz/m);
    expect(dockerfile).toMatch(/^ENTRYPOINT \["\/usr\/bin\/tini", "--", "node", "bin\/census.js"\]/m);
    expect(dockerfile).not.toMatch(/^(RUN|CMD|ENTRYPOINT).*tsx/m);
  });

  it("passes dockerfile-utils lint with nothing to say", () => {
    expect(execFileSync("npx", ["dockerfile-utils", "lint", "Dockerfile"], { encoding: "utf8" })).toBe("");
  });
});
