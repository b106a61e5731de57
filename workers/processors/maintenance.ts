// Housekeeping jobs.
import type { ProcessorDeps } from "./types.ts";
import { recordAudit } from "../../src/services/audit.ts";

export async function purgeExpired(deps: ProcessorDeps) {
  const cutoff = new Date();
  const sessions = await deps.db.session.deleteMany({ where: { expiresAt: { lt: cutoff } } });
  const buckets = await deps.db.rateLimitBucket.deleteMany({ where: { windowStart: { lt: new Date(cutoff.getTime() - 86_400_000) } } });
  return { sessions: sessions.count, rateLimitBuckets: buckets.count };
}

export async function auditPing(deps: ProcessorDeps, payload: { note: string }, jobId: string) {
  // Idempotent per job id: a retried job finds its own entry and does nothing.
  const existing = await deps.db.auditEntry.findFirst({ where: { action: "maintenance.audit_ping", entityId: jobId } });
  if (existing) return { written: false };
  await recordAudit(deps.db, {}, { action: "maintenance.audit_ping", entityType: "job", entityId: jobId, details: { note: payload.note } });
  return { written: true };
}
