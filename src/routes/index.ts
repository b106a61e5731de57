import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../http/env.ts";
import { registerAuditRoutes } from "./audit.ts";
import { registerCampaignRoutes } from "./campaigns.ts";
import { registerIdentityRoutes } from "./identity.ts";

export function registerResourceRoutes(app: OpenAPIHono<AppEnv>) {
  registerIdentityRoutes(app);
  registerCampaignRoutes(app);
  registerAuditRoutes(app);
}
