// `npm run build`: one ESM bundle of src/ in dist/ (dependencies stay external, so production
// installs them with `npm ci --omit=dev`), with source maps. bin/census.js runs it when present.
// An output folder may be given: `node scripts/build.mjs /tmp/out` (the build test uses one).
import { execFileSync } from "node:child_process";
import { cpSync, rmSync } from "node:fs";
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

// The router client, `prompt-census/client`: the @prompt-census/client package's ES module build
// (packages/client), re-exported from the service's own package for routers that vendor it.
const clientBuild = join(outdir, "client-package");
execFileSync(process.execPath, ["packages/client/build.mjs", clientBuild], { stdio: "inherit" });
cpSync(join(clientBuild, "esm"), join(outdir, "client"), { recursive: true });
rmSync(clientBuild, { recursive: true, force: true });
