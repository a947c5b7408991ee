import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Hono } from "hono";
import { type Asset, serveAssets } from "./assets";
import { htmlHeaders } from "./security";

// Swagger UI served from node_modules, so /docs works on a machine with no internet.
const require = createRequire(import.meta.url);
const distDir = dirname(require.resolve("swagger-ui-dist/package.json"));
const assets = new Map<string, Asset>([
  ["swagger-ui.css", { path: join(distDir, "swagger-ui.css"), type: "text/css; charset=utf-8" }],
  [
    "swagger-ui-bundle.js",
    { path: join(distDir, "swagger-ui-bundle.js"), type: "text/javascript; charset=utf-8" },
  ],
]);

// No inline script, so the page's CSP can allow scripts from this origin only. Swagger UI writes
// style attributes as it renders, hence 'unsafe-inline' for styles (never for scripts).
const page = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>prompt-census API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="ui"></div><script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/assets/init.js"></script></body></html>`;
const init = `window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#ui" });\n`;

export function docsRoutes() {
  const app = new Hono();
  app.get("/docs", (c) => c.html(page, 200, htmlHeaders({ styleSrc: "'self' 'unsafe-inline'" })));
  app.get("/docs/assets/init.js", (c) =>
    c.body(init, 200, { "content-type": "text/javascript; charset=utf-8" }),
  );
  serveAssets(app, "/docs/assets", assets, 86400);
  return app;
}
