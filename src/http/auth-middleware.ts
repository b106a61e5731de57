// Authentication (who is calling) runs for every request; authorisation (may they call this
// route) is attached per route by `defineRoute`. A presented but invalid credential is a 401 at
// once, never a silent downgrade to anonymous.
import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { getCookie } from "hono/cookie";
import { assertAllowed, type Access } from "../auth/policy.ts";
import { AppError } from "../errors.ts";
import { authenticateApiKey, authenticateSession, forgetApiKey } from "../services/auth/authenticate.ts";
import type { AppEnv } from "./env.ts";

export const SESSION_COOKIE = "hw_session";

export const authenticate: MiddlewareHandler<AppEnv> = async (c, next) => {
  const header = c.req.header("authorization");
  const db = c.get("db");
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    const principal = match ? await authenticateApiKey(db, match[1]!) : null;
    if (!principal) {
      throw new AppError("UNAUTHENTICATED", { code: "INVALID_API_KEY", headers: { "WWW-Authenticate": 'Bearer realm="homeward"' } });
    }
    c.set("principal", principal);
  } else {
    const token = getCookie(c, SESSION_COOKIE);
    const session = token ? await authenticateSession(db, token) : null;
    if (session) {
      c.set("principal", session.principal);
      c.set("sessionId", session.sessionId);
      c.set("csrfToken", session.csrfToken);
    }
  }
  await next();
  // API-key principals are cached for a few seconds (services/auth/authenticate.ts): a key revoked
  // through this process stops working here at once, not only when its cache entry expires, and in
  // the sibling API processes of this host as soon as they hear of it.
  const revoked = c.req.method === "DELETE" && c.res.status < 300 ? /^\/v1\/api-keys\/([^/]+)\/?$/.exec(c.req.path) : null;
  if (revoked) {
    const keyId = decodeURIComponent(revoked[1]!);
    forgetApiKey(db, keyId);
    c.get("deps").apiKeyRevoked?.(keyId);
  }
};

export function authorize(access: Access): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const principal = c.get("principal");
    if (!principal) {
      throw new AppError("UNAUTHENTICATED", { headers: { "WWW-Authenticate": 'Bearer realm="homeward"' } });
    }
    assertAllowed(principal, access);
    await next();
  };
}

/** JSON routes: the right content type (415) and the JSON size limit (413), streamed. */
export const requireJsonContentType: MiddlewareHandler<AppEnv> = async (c, next) => {
  const type = c.req.header("content-type") ?? "";
  if (!/^application\/([a-z.+-]*\+)?json\s*(;|$)/i.test(type)) {
    throw new AppError("UNSUPPORTED_MEDIA_TYPE", { detail: `expected application/json, got ${type || "no content type"}` });
  }
  const maxSize = c.get("deps").config.BODY_LIMIT_BYTES;
  return bodyLimit({
    maxSize,
    onError: () => {
      throw new AppError("PAYLOAD_TOO_LARGE", { detail: `limit ${maxSize} bytes for JSON` });
    },
  })(c, next);
};

/** The principal of a route behind `authorize` (present by construction). */
export function principalOf(c: { get(key: "principal"): AppEnv["Variables"]["principal"] }) {
  const principal = c.get("principal");
  if (!principal) throw new AppError("UNAUTHENTICATED");
  return principal;
}
