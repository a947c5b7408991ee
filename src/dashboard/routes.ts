import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Hono } from "hono";
import { htmlHeaders } from "../http/security";
import { fromRoot } from "../platform/paths";

// The dashboard is static: an HTML shell, our script and Chart.js from node_modules, so it works
// offline. The page holds no data; its script calls the stats API with a `read` key that the user
// enters once and the browser keeps in sessionStorage.

const require = createRequire(import.meta.url);
const own = (file: string) => fromRoot("public", "dashboard", file);

const assets: Record<string, { path: string; type: string }> = {
  "dashboard.js": { path: own("dashboard.js"), type: "text/javascript; charset=utf-8" },
  "dashboard.css": { path: own("dashboard.css"), type: "text/css; charset=utf-8" },
  // chart.js exports no subpath for its UMD build; it sits beside the CommonJS entry in dist/
  "chart.umd.js": {
    path: join(dirname(require.resolve("chart.js")), "chart.umd.min.js"),
    type: "text/javascript; charset=utf-8",
  },
};

export function dashboardRoutes() {
  const app = new Hono();
  const cache = new Map<string, string>();
  const read = (key: string, path: string) => {
    let body = cache.get(key);
    if (body === undefined) {
      body = readFileSync(path, "utf8");
      cache.set(key, body);
    }
    return body;
  };
  // A strict CSP: scripts, styles and data from this origin only, and never in a frame.
  app.get("/dashboard", (c) => c.html(read("index.html", own("index.html")), 200, htmlHeaders()));
  app.get("/dashboard/assets/:file", (c) => {
    const asset = assets[c.req.param("file")];
    if (!asset) return c.notFound();
    return c.body(read(c.req.param("file"), asset.path), 200, {
      "content-type": asset.type,
      "cache-control": "public, max-age=3600",
    });
  });
  return app;
}
