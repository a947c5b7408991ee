import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

// Files the service reads at run time (migrations/, config/, public/) live at the package's root.
// The root is found from this module upward, so the same code works from src/ under tsx and from
// the bundle in dist/, wherever either is installed.

function findRoot(): string {
  const start = dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = dirname(dir)) {
    const pkg = join(dir, "package.json");
    if (
      existsSync(pkg) &&
      (JSON.parse(readFileSync(pkg, "utf8")) as { name?: string }).name === "prompt-census"
    ) {
      return dir;
    }
    if (dirname(dir) === dir) throw new Error(`prompt-census's package.json is not above ${start}`);
  }
}

export const PACKAGE_ROOT = findRoot();

export const fromRoot = (...parts: string[]) => join(PACKAGE_ROOT, ...parts);
