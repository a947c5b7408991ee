import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { Ajv2020 } from "ajv/dist/2020.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStack, type Stack } from "./support/stack";

// The published contract, as a generator or a validator reads it: the served /openapi.json passes
// Redocly's recommended rules with nothing to say, and the README's examples pass its schemas
// under a real JSON Schema (2020-12) validator, with patterns compiled with and without the u flag.

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), "census-openapi-"));
let stack: Stack;
let spec: {
  components: { schemas: Record<string, unknown> };
  paths: Record<string, Record<string, { operationId?: string; security?: unknown[]; tags?: string[] }>>;
};
beforeAll(async () => {
  stack = await createStack({ worker: false });
  spec = (await (await stack.app.request("/openapi.json")).json()) as typeof spec;
});
afterAll(async () => {
  await stack.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The README's request bodies (`curl ... /v1/prompts ... -d '{...}'`) and JSON answers of ingest. */
function readmeExamples() {
  const readme = readFileSync("README.md", "utf8");
  const requests = [...readme.matchAll(/curl[^\n]*\/v1\/prompts[\s\S]*?-d '([^']+)'/g)].map(
    (m) => m[1] ?? "",
  );
  const answers = [
    ...[...readme.matchAll(/^# (\{"accepted".*\})$/gm)].map((m) => m[1] ?? ""),
    ...[...readme.matchAll(/```json\n(\{"accepted"[\s\S]*?)```/g)].map((m) => m[1] ?? ""),
  ];
  return { requests: requests.map((r) => JSON.parse(r)), answers: answers.map((a) => JSON.parse(a)) };
}

function validators(unicodeRegExp: boolean) {
  const ajv = new Ajv2020({ allErrors: true, strict: true, unicodeRegExp });
  ajv.addKeyword("example"); // OpenAPI's annotation, not a JSON Schema keyword
  // RFC 3339 date-time (ajv-formats would add it; one format is not worth a dependency)
  ajv.addFormat("date-time", (v: string) =>
    /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/i.test(v),
  );
  const schemas = spec.components.schemas;
  // component refs (#/components/schemas/X) resolved against the document's own components
  const doc = JSON.parse(
    JSON.stringify(schemas).replaceAll('"#/components/schemas/', '"https://prompt-census.dev/c.json#/$defs/'),
  );
  ajv.addSchema({ $id: "https://prompt-census.dev/c.json", $defs: doc });
  return (name: string) => {
    const validate = ajv.getSchema(`https://prompt-census.dev/c.json#/$defs/${name}`);
    if (!validate) throw new Error(`no schema ${name}`);
    return validate;
  };
}

describe("the published OpenAPI document", () => {
  it("passes `redocly lint` (recommended rules) with 0 errors and 0 warnings", async () => {
    const file = join(dir, "openapi.json");
    writeFileSync(file, JSON.stringify(spec, null, 2));
    const { stdout } = await run(resolve("node_modules/.bin/redocly"), ["lint", file, "--format=json"], {
      env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" },
    });
    const report = JSON.parse(stdout) as { totals: unknown; problems: { ruleId: string; message: string }[] };
    expect(report.problems.map((p) => `${p.ruleId}: ${p.message}`)).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  });

  it("names every operation, tags it, and says which routes are public", () => {
    for (const [path, ops] of Object.entries(spec.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        expect(op.operationId, `${method} ${path}`).toMatch(/^[a-z][A-Za-z]+$/);
        expect(op.tags?.length, `${method} ${path}`).toBeGreaterThan(0);
        expect(op.security, `${method} ${path}`).toBeDefined();
      }
    }
    expect(spec.paths["/healthz"]?.get?.security).toEqual([]);
  });

  it.each([true, false])("the README's ingest examples pass its schemas (patterns with u: %s)", (u) => {
    const schema = validators(u);
    const { requests, answers } = readmeExamples();
    expect(requests.length).toBeGreaterThan(1); // the single item of "Try it" and the demo's batch
    expect(answers.length).toBeGreaterThan(1);
    for (const body of requests) {
      const validate = schema("IngestBody");
      expect(validate(body), JSON.stringify(validate.errors)).toBe(true);
    }
    for (const answer of answers) {
      const validate = schema("IngestAnswer");
      expect(validate(answer), JSON.stringify(validate.errors)).toBe(true);
    }
  });

  it("its schemas refuse what the service refuses (a control character in a model, no text)", () => {
    const validate = validators(true)("PromptItem");
    expect(validate({ requestId: "r", model: "anthropic/claude-sonnet-4.5", prompt: "hi" })).toBe(true);
    expect(validate({ requestId: "r", model: "模型 😀", prompt: "hi" })).toBe(true);
    expect(validate({ requestId: "r", model: "gpt\u00005", prompt: "hi" })).toBe(false);
    expect(validate({ requestId: "r", model: "gpt\uD8005", prompt: "hi" })).toBe(false);
    expect(validate({ requestId: "r", model: "m", promptTokens: -1, prompt: "hi" })).toBe(false);
  });
});
