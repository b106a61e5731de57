// Reading the audit log: admins see the entries of their organisation's subtree.
import type { ServiceContext } from "./context.ts";

export async function listAuditEntries(
  ctx: ServiceContext,
  filter: { entityType?: string; entityId?: string; action?: string; before?: bigint; limit: number },
) {
  const orgIds = await ctx.db.organisation.findMany({ where: { path: { startsWith: ctx.principal.orgPath } }, select: { id: true } });
  const rows = await ctx.db.auditEntry.findMany({
    where: {
      orgId: { in: orgIds.map((o) => o.id) },
      ...(filter.entityType ? { entityType: filter.entityType } : {}),
      ...(filter.entityId ? { entityId: filter.entityId } : {}),
      ...(filter.action ? { action: filter.action } : {}),
      ...(filter.before ? { id: { lt: filter.before } } : {}),
    },
    orderBy: { id: "desc" },
    take: filter.limit,
  });
  return rows.map((r) => ({
    id: r.id.toString(),
    at: r.at.toISOString(),
    actorType: r.actorType,
    actor: r.actorId,
    orgId: r.orgId,
    campaignId: r.campaignId,
    action: r.action,
    entityType: r.entityType,
    entityId: r.entityId,
    requestId: r.requestId,
    details: r.details as Record<string, unknown>,
  }));
}
