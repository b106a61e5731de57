import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../http/env.ts";
import { registerAllocationRoutes } from "./allocation.ts";
import { registerAuditRoutes } from "./audit.ts";
import { registerCalendarRoutes } from "./calendar.ts";
import { registerCapacityRoutes } from "./capacity.ts";
import { registerCampaignRoutes } from "./campaigns.ts";
import { registerIdentityRoutes } from "./identity.ts";
import { registerSmsRoutes } from "./sms.ts";
import { registerManifestRoutes } from "./manifests.ts";
import { registerTicketListRoutes } from "./ticket-lists.ts";
import { registerTotalsRoutes } from "./totals.ts";
import { registerWageCaseRoutes } from "./wage-cases.ts";

export function registerResourceRoutes(app: OpenAPIHono<AppEnv>) {
  registerIdentityRoutes(app);
  registerCampaignRoutes(app);
  registerTicketListRoutes(app);
  registerAuditRoutes(app);
  registerWageCaseRoutes(app);
  registerCalendarRoutes(app);
  registerCapacityRoutes(app);
  registerAllocationRoutes(app);
  registerManifestRoutes(app);
  registerSmsRoutes(app);
  registerTotalsRoutes(app);
}
