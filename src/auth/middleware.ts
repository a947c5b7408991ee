import type { MiddlewareHandler } from "hono";
import { AppError } from "../platform/errors";
import { hasScope, type KeyVerifier, type Scope } from "./keys";

/** Bearer-key auth: 401 when missing or unknown, 403 when the key lacks `scope`. */
export function requireScope(verify: KeyVerifier, scope: Scope): MiddlewareHandler {
  return async (c, next) => {
    const header = c.req.header("authorization") ?? "";
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1]) throw new AppError("UNAUTHORIZED", "Send 'Authorization: Bearer <key>'.");
    const record = await verify(match[1]).catch((cause: unknown) => {
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
