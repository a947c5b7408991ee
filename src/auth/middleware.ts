import { createHash, timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import { AppError } from "../platform/errors";
import { hasScope, type KeyVerifier, type Scope } from "./keys";

export interface ScopeOptions {
  /** A static token accepted besides keys (METRICS_TOKEN, for scrapers that hold no API key). */
  token?: string | undefined;
  /** Also read the key from HTTP Basic auth (any user, the key as password), which a browser asks for. */
  basic?: boolean;
}

const digest = (s: string) => createHash("sha256").update(s).digest();

/** The presented key: Bearer, or Basic's password when allowed. */
function presented(header: string, basic: boolean): string | undefined {
  const bearer = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
  if (bearer || !basic) return bearer;
  const encoded = /^Basic\s+(\S+)$/i.exec(header)?.[1];
  if (!encoded) return undefined;
  const decoded = Buffer.from(encoded, "base64").toString("utf8");
  return decoded.slice(decoded.indexOf(":") + 1) || undefined;
}

/** Bearer-key auth: 401 when missing or unknown, 403 when the key lacks `scope`. */
export function requireScope(verify: KeyVerifier, scope: Scope, o: ScopeOptions = {}): MiddlewareHandler {
  return async (c, next) => {
    const key = presented(c.req.header("authorization") ?? "", Boolean(o.basic));
    if (!key) {
      throw new AppError("UNAUTHORIZED", "Send 'Authorization: Bearer <key>'.", {
        // a browser then asks for the key itself (any user name, the key as password)
        ...(o.basic
          ? { headers: { "www-authenticate": 'Basic realm="prompt-census", charset="UTF-8"' } }
          : {}),
      });
    }
    if (o.token && timingSafeEqual(digest(key), digest(o.token))) return next();
    const record = await verify(key).catch((cause: unknown) => {
      throw new AppError("SERVICE_UNAVAILABLE", "Cannot check the API key right now; retry shortly.", {
        cause,
      });
    });
    if (!record) throw new AppError("UNAUTHORIZED", "The API key is not valid or has been revoked.");
    if (!hasScope(record.scopes, scope))
      throw new AppError("FORBIDDEN", `This key lacks the '${scope}' scope.`);
    await next();
  };
}
