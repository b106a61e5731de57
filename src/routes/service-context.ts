import type { Context } from "hono";
import { principalOf } from "../http/auth-middleware.ts";
import type { AppEnv } from "../http/env.ts";
import type { ServiceContext } from "../services/context.ts";

/** The service context of an authorised request. */
export function serviceContext(c: Context<AppEnv>): ServiceContext {
  return { db: c.get("db"), principal: principalOf(c), requestId: c.get("requestId"), log: c.get("log") };
}
