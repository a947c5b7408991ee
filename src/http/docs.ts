import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Hono } from "hono";

// Swagger UI served from node_modules, so /docs works on a machine with no internet.
const require = createRequire(import.meta.url);
const distDir = dirname(require.resolve("swagger-ui-dist/package.json"));
const assets: Record<string, string> = {
  "swagger-ui.css": "text/css; charset=utf-8",
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
};

const page = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>prompt-census API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="ui"></div><script src="/docs/assets/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#ui" });</script></body></html>`;

export function docsRoutes() {
  const app = new Hono();
  const cache = new Map<string, string>();
  app.get("/docs", (c) => c.html(page));
  app.get("/docs/assets/:file", (c) => {
    const file = c.req.param("file");
    const type = assets[file];
    if (!type) return c.notFound();
    let body = cache.get(file);
    if (body === undefined) {
      body = readFileSync(join(distDir, file), "utf8");
      cache.set(file, body);
    }
    return c.body(body, 200, { "content-type": type, "cache-control": "public, max-age=86400" });
  });
  return app;
}
