/**
 * Which methods a path has routes for, from Hono's route list (middleware, registered as ALL or
 * with a wildcard, does not count). Non-empty means a request with another method is a 405 with
 * this `Allow`, not a 404. Pure.
 */
export function allowedMethods(routes: readonly { method: string; path: string }[], path: string): string[] {
  const methods = new Set<string>();
  for (const r of routes) {
    if (r.method === "ALL" || r.path.includes("*")) continue;
    if (pattern(r.path).test(path)) methods.add(r.method);
  }
  if (methods.has("GET")) methods.add("HEAD");
  if (methods.size > 0) methods.add("OPTIONS");
  return [...methods].sort();
}

const cache = new Map<string, RegExp>();

function pattern(route: string): RegExp {
  let re = cache.get(route);
  if (!re) {
    const source = route
      .split("/")
      .map((seg) => (seg.startsWith(":") ? "[^/]+" : seg.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
      .join("/");
    re = new RegExp(`^${source}/?$`);
    cache.set(route, re);
  }
  return re;
}
