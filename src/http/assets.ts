import { readFileSync } from "node:fs";
import type { Hono } from "hono";
import { AppError } from "../platform/errors";

export interface Asset {
  /** Where the file is on disk. */
  path: string;
  type: string;
}

/**
 * Serves a fixed set of files at `${prefix}/:file`, read once and kept. The names are a Map, not
 * an object: `__proto__`, `constructor` or `toString` as a file name is a 404 like any unknown one,
 * never an inherited property read as an asset (that was a 500).
 */
export function serveAssets(
  app: Hono,
  prefix: string,
  assets: ReadonlyMap<string, Asset>,
  maxAgeSeconds: number,
) {
  const cache = new Map<string, string>();
  app.get(`${prefix}/:file`, (c) => {
    const file = c.req.param("file");
    const asset = assets.get(file);
    if (!asset) throw new AppError("NOT_FOUND", `No asset ${prefix}/${file}.`);
    let body = cache.get(file);
    if (body === undefined) {
      body = readFileSync(asset.path, "utf8");
      cache.set(file, body);
    }
    return c.body(body, 200, {
      "content-type": asset.type,
      "cache-control": `public, max-age=${maxAgeSeconds}`,
    });
  });
}
