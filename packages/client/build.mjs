// Builds the package twice with tsc, with no dependency of its own: ES modules in dist/esm and
// CommonJS in dist/cjs (a package.json there says so), each with its type declarations.
// `node build.mjs [outdir]`; npm runs it before `npm pack` (prepack). TypeScript comes from the
// repository this package lives in.
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const outdir = resolve(process.argv[2] ?? join(here, "dist"));
rmSync(outdir, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");

const flavours = [
  { dir: "esm", args: ["--module", "es2022", "--moduleResolution", "bundler"] },
  { dir: "cjs", args: ["--module", "commonjs", "--moduleResolution", "node10"], type: "commonjs" },
];
for (const { dir, args, type } of flavours) {
  const out = join(outdir, dir);
  execFileSync(process.execPath, [tsc, "-p", join(here, "tsconfig.json"), ...args, "--outDir", out], {
    stdio: "inherit",
  });
  if (type) {
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, "package.json"), `${JSON.stringify({ type })}\n`);
  }
}
