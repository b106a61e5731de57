import type { Context } from "hono";
import { principalOf } from "../http/auth-middleware.ts";
import type { AppEnv } from "../http/env.ts";
import { AppError } from "../errors.ts";
import type { PiiVault } from "../pii/vault.ts";
import type { ServiceContext } from "../services/context.ts";

/** The service context of an authorised request. */
export function serviceContext(c: Context<AppEnv>): ServiceContext {
  const deps = c.get("deps");
  return {
    db: c.get("db"),
    principal: principalOf(c),
    requestId: c.get("requestId"),
    log: c.get("log"),
    get pii(): PiiVault {
      if (!deps.pii) throw new AppError("INTERNAL", { detail: "PII_ENCRYPTION_KEYS and PII_HMAC_KEY are not configured" });
      return deps.pii;
    },
  };
}
