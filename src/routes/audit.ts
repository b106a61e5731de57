// The audit log, for admins of the organisation subtree it concerns.
import { z, type OpenAPIHono } from "@hono/zod-openapi";
import { UNION_KINDS } from "../auth/policy.ts";
import type { AppEnv } from "../http/env.ts";
import { defineRoute } from "../http/openapi.ts";
import { listAuditEntries } from "../services/audit-log.ts";
import { serviceContext } from "./service-context.ts";

const AuditEntrySchema = z
  .object({
    id: z.string(),
    at: z.string(),
    actorType: z.enum(["USER", "API_KEY", "SYSTEM"]),
    actor: z.string().nullable(),
    orgId: z.string().nullable(),
    campaignId: z.string().nullable(),
    action: z.string(),
    entityType: z.string(),
    entityId: z.string().nullable(),
    requestId: z.string().nullable(),
    details: z.record(z.string(), z.unknown()),
  })
  .openapi("AuditEntry");

export function registerAuditRoutes(app: OpenAPIHono<AppEnv>) {
  app.openapi(
    defineRoute({ kinds: UNION_KINDS, minRole: "ADMIN" }, {
      method: "get",
      path: "/v1/audit-entries",
      operationId: "listAuditEntries",
      tags: ["audit"],
      summary: "Audit entries of the caller's subtree, newest first",
      request: {
        query: z.object({
          entityType: z.string().max(50).optional(),
          entityId: z.string().max(100).optional(),
          action: z.string().max(100).optional(),
          before: z.string().regex(/^\d+$/).optional().openapi({ description: "Page: entries with a smaller id" }),
          limit: z.coerce.number().int().min(1).max(500).default(100),
        }),
      },
      responses: { 200: { description: "Entries", content: { "application/json": { schema: z.object({ items: z.array(AuditEntrySchema) }) } } } },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const items = await listAuditEntries(serviceContext(c), { ...q, before: q.before ? BigInt(q.before) : undefined });
      return c.json({ items }, 200);
    },
  );
}
