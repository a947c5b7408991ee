import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Hono } from "hono";
import { type Asset, serveAssets } from "../http/assets";
import { htmlHeaders } from "../http/security";
import { fromRoot } from "../platform/paths";

// The dashboard is static: an HTML shell, our script and Chart.js from node_modules, so it works
// offline. The page holds no data; its script calls the stats API with a `read` key that the user
// enters once and the browser keeps in sessionStorage.

const require = createRequire(import.meta.url);
const own = (file: string) => fromRoot("public", "dashboard", file);

const assets = new Map<string, Asset>([
  ["dashboard.js", { path: own("dashboard.js"), type: "text/javascript; charset=utf-8" }],
  ["views.js", { path: own("views.js"), type: "text/javascript; charset=utf-8" }],
  ["dashboard.css", { path: own("dashboard.css"), type: "text/css; charset=utf-8" }],
  // chart.js exports no subpath for its UMD build; it sits beside the CommonJS entry in dist/
  [
    "chart.umd.js",
    {
      path: join(dirname(require.resolve("chart.js")), "chart.umd.min.js"),
      type: "text/javascript; charset=utf-8",
    },
  ],
]);

export function dashboardRoutes() {
  const app = new Hono();
  const page = readFileSync(own("index.html"), "utf8");
  // A strict CSP: scripts, styles and data from this origin only, and never in a frame.
  app.get("/dashboard", (c) => c.html(page, 200, htmlHeaders()));
  serveAssets(app, "/dashboard/assets", assets, 3600);
  return app;
}
