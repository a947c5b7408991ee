#!/usr/bin/env node
// `census <command>`. Runs the build in dist/ (`npm run build`) when there is one and it is not
// older than src/; otherwise runs the TypeScript through tsx, as in a checkout after `npm ci`.
// Production installs carry dist/ and no tsx, TypeScript or dev dependencies.
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const built = join(root, "dist", "cli.js");

/** Newest modification time of the TypeScript sources (0 when there are none, as in an image). */
function newestSource(dir) {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const time = entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs;
    if (time > newest) newest = time;
  }
  return newest;
}

async function hasTsx() {
  try {
    await import("tsx/esm/api");
    return true;
  } catch {
    return false;
  }
}

const fresh = existsSync(built) && statSync(built).mtimeMs >= newestSource(join(root, "src"));
if (existsSync(built) && (fresh || !(await hasTsx()))) {
  process.setSourceMapsEnabled(true); // stack traces point into src/, through dist/*.map
  await import(new URL("../dist/cli.js", import.meta.url).href);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import("../src/cli.ts");
}
