// `npm run build`: one ESM bundle of src/ in dist/ (dependencies stay external, so production
// installs them with `npm ci --omit=dev`), with source maps. bin/census.js runs it when present.
// An output folder may be given: `node scripts/build.mjs /tmp/out` (the build test uses one).
import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { build } from "esbuild";

const outdir = process.argv[2] ?? "dist";
rmSync(outdir, { recursive: true, force: true }); // chunks of an older build must not linger

await build({
  entryPoints: ["src/cli.ts"],
  outdir,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  packages: "external",
  splitting: true, // commands import their modules lazily; each stays its own chunk
  sourcemap: true,
  logLevel: "warning",
});

// The router client, `prompt-census/client`: one self-contained ESM file for any runtime with
// fetch, and its type declarations.
const clientDir = join(outdir, "client");
await build({
  entryPoints: ["src/client/index.ts"],
  outfile: join(clientDir, "index.js"),
  bundle: true,
  platform: "neutral",
  format: "esm",
  target: "es2022",
  sourcemap: true,
  logLevel: "warning",
});
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
execFileSync(process.execPath, [
  tsc,
  "src/client/index.ts",
  "--declaration",
  "--emitDeclarationOnly",
  "--strict",
  "--skipLibCheck",
  "--target",
  "es2022",
  "--module",
  "nodenext",
  "--outDir",
  clientDir,
]);
