// Audit entries are written in the same transaction as the change they record, and fail closed:
// if the entry cannot be written, the change is rolled back with it.
import type { Principal } from "../auth/principal.ts";
import type { DbOrTx } from "../db/types.ts";

export interface AuditInput {
  action: string;
  entityType: string;
  entityId?: string | null;
  /** The organisation the entry belongs to (visibility follows its subtree). */
  orgId?: string | null;
  campaignId?: string | null;
  /** Masked values only: never plaintext ID numbers, phones or secrets. */
  details?: Record<string, unknown>;
}

export async function recordAudit(
  db: DbOrTx,
  actor: { principal?: Principal; requestId?: string },
  entry: AuditInput,
): Promise<void> {
  await db.auditEntry.create({
    data: {
      actorType: actor.principal?.actorType ?? "SYSTEM",
      actorId: actor.principal ? `${actor.principal.actorLabel}` : null,
      actorOrgId: actor.principal?.orgId ?? null,
      orgId: entry.orgId ?? actor.principal?.orgId ?? null,
      campaignId: entry.campaignId ?? null,
      action: entry.action,
      entityType: entry.entityType,
      entityId: entry.entityId ?? null,
      requestId: actor.requestId ?? null,
      details: (entry.details ?? {}) as object,
    },
  });
}
