import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

// What operators rely on in compose.yaml and the Dockerfile. (`.ci/run` also validates the file
// with docker-compose and lints the Dockerfile; no Docker daemon exists here to run either.)

type Service = {
  image?: string;
  profiles?: string[];
  ports?: string[];
  entrypoint?: string[];
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
  it("has Postgres, Redis, a one-shot migrate, the API and two workers (and the demo profile's two)", () => {
    const always = Object.keys(s).filter((name) => !s[name]?.profiles);
    expect(always.sort()).toEqual(["api", "migrate", "postgres", "redis", "worker"]);
    expect(Object.keys(s).filter((name) => s[name]?.profiles?.includes("demo"))).toEqual([
      "demo",
      "demo-data",
    ]);
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

describe("compose.yaml --profile demo", () => {
  const demo = s.demo;
  it("runs the API and a worker with the built-in emulator, needing no Google credential", () => {
    expect(demo?.command).toEqual(["start"]);
    expect(demo?.environment).toMatchObject({
      CLASSIFIER: "emulator",
      GOOGLE_API_KEY: "",
      LANGUAGE_EMULATOR_HOST: "",
      NODE_ENV: "production",
    });
    for (const name of ["demo", "demo-data"]) {
      const env = s[name]?.environment ?? {};
      expect(env.GOOGLE_APPLICATION_CREDENTIALS, name).toBeUndefined();
      expect(env.GOOGLE_API_KEY, name).toBe("");
    }
    expect(demo?.ports).toEqual(["8081:8080"]);
  });

  it("keeps its data and jobs apart from the Google stack's", () => {
    expect(demo?.environment?.DATABASE_URL).toMatch(/\/census_demo$/);
    expect(demo?.environment?.DATABASE_URL).not.toBe(s.api?.environment?.DATABASE_URL);
    expect(demo?.environment?.QUEUE_PREFIX).toBe("census-demo");
    expect(s.api?.environment?.QUEUE_PREFIX).toBeUndefined(); // the default, census
    expect(s["demo-data"]?.environment).toEqual(demo?.environment);
  });

  it("loads demo data with `census demo` once the demo answers, and only when the image has it", () => {
    const data = s["demo-data"];
    expect(data?.depends_on).toEqual({ demo: { condition: "service_healthy" } });
    const script = ((data?.command ?? []) as string[]).join(" ");
    expect(script).toMatch(/^if node bin\/census\.js help demo .*then exec node bin\/census\.js demo;/);
    expect(data?.entrypoint?.slice(0, 2)).toEqual(["/usr/bin/tini", "--"]);
  });

  it("is valid for docker-compose, with the demo profile (when docker-compose is installed)", () => {
    let installed = true;
    try {
      execFileSync("docker-compose", ["version"], { stdio: "ignore" });
    } catch {
      installed = false; // .ci/run installs it and validates the file itself
    }
    if (!installed) return;
    execFileSync("docker-compose", ["-f", "compose.yaml", "--profile", "demo", "config", "-q"], {
      env: { PATH: process.env.PATH, HMAC_SECRET: "placeholder-secret-0123456789abcdef" },
    });
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

  it("runs on a supported Node LTS, while package.json still lets Node 20 run the code", () => {
    const bases = [...dockerfile.matchAll(/^FROM node:(\d+)-/gm)].map((m) => Number(m[1]));
    expect(bases).toEqual([24, 24]);
    const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { engines: { node: string } };
    expect(pkg.engines.node).toBe(">=20.11");
  });

  it("copies the client package the build needs", () => {
    expect(dockerfile).toMatch(/^COPY packages \.\/packages$/m);
  });

  it("passes dockerfile-utils lint with nothing to say", () => {
    expect(execFileSync("npx", ["dockerfile-utils", "lint", "Dockerfile"], { encoding: "utf8" })).toBe("");
  });
});
