// What the unions see of the SMS pipeline: a template preview with its segment count, the per
// campaign / enterprise / vehicle summary, and one worker's message history for hotline staff.
// Visibility follows the organisation subtree: the city sees its whole campaign, a district its
// enterprises, an enterprise its own workers.
import { rootOrgId } from "../../auth/principal.ts";
import type { Config } from "../../config.ts";
import { AppError, notFound } from "../../errors.ts";
import { parseMobile } from "../../intake/fields/mobile.ts";
import { maskMobile } from "../../intake/fields/masking.ts";
import { previewMessage, type TemplateKind } from "../../sms/templates.ts";
import { recordAudit } from "../audit.ts";
import type { ServiceContext } from "../context.ts";
import { templateConfig } from "./render.ts";

export function previewSmsTemplate(config: Config, kind: TemplateKind, variables: unknown) {
  const preview = previewMessage(kind, variables as never, templateConfig(config));
  return { kind: preview.kind, text: preview.text, essential: preview.essential, segments: preview.segments, maxSegments: config.SMS_MAX_SEGMENTS };
}

async function campaignOf(ctx: ServiceContext, campaignId: string) {
  const campaign = await ctx.db.campaign.findUnique({ where: { id: campaignId }, select: { id: true, cityOrgId: true, name: true } });
  if (!campaign || campaign.cityOrgId !== rootOrgId(ctx.principal)) throw notFound();
  return campaign;
}

const SENT_STATUSES = ["ACCEPTED", "SENT", "DELIVERED", "UNDELIVERED"];

interface CountRow {
  key: string | null;
  label: string | null;
  status: string;
  count: bigint;
  segments: bigint;
}

function group(rows: CountRow[], priceFen: number) {
  const groups = new Map<string, { id: string | null; label: string | null; byStatus: Record<string, number>; total: number; segmentsSent: number; estimatedCostFen: number }>();
  for (const row of rows) {
    const id = row.key ?? "";
    let g = groups.get(id);
    if (!g) {
      g = { id: row.key, label: row.label, byStatus: {}, total: 0, segmentsSent: 0, estimatedCostFen: 0 };
      groups.set(id, g);
    }
    const count = Number(row.count);
    g.byStatus[row.status] = (g.byStatus[row.status] ?? 0) + count;
    g.total += count;
    if (SENT_STATUSES.includes(row.status)) {
      g.segmentsSent += Number(row.segments);
      g.estimatedCostFen += Number(row.segments) * priceFen;
    }
  }
  return [...groups.values()];
}

export async function getSmsSummary(ctx: ServiceContext & { config: Config }, campaignId: string) {
  await campaignOf(ctx, campaignId);
  const prefix = `${ctx.principal.orgPath}%`;
  const byOrg = await ctx.db.$queryRaw<CountRow[]>`
    SELECT n.org_id::text AS key, o.name AS label, n.status::text AS status, count(*) AS count, COALESCE(sum(n.segments), 0) AS segments
      FROM notifications n JOIN organisations o ON o.id = n.org_id
     WHERE n.campaign_id = ${campaignId}::uuid AND o.path LIKE ${prefix}
     GROUP BY 1, 2, 3`;
  const byVehicle = await ctx.db.$queryRaw<CountRow[]>`
    SELECT n.vehicle_id::text AS key, v.label || ' ' || to_char(v.departure_at AT TIME ZONE 'Asia/Shanghai', 'MM-DD HH24:MI') AS label,
           n.status::text AS status, count(*) AS count, COALESCE(sum(n.segments), 0) AS segments
      FROM notifications n JOIN organisations o ON o.id = n.org_id JOIN vehicles v ON v.id = n.vehicle_id
     WHERE n.campaign_id = ${campaignId}::uuid AND o.path LIKE ${prefix}
     GROUP BY 1, 2, 3`;
  const failures = await ctx.db.$queryRaw<{ status: string; errorCode: string | null; errorMessage: string | null; count: bigint }[]>`
    SELECT n.status::text AS status, n.error_code AS "errorCode", max(n.error_message) AS "errorMessage", count(*) AS count
      FROM notifications n JOIN organisations o ON o.id = n.org_id
     WHERE n.campaign_id = ${campaignId}::uuid AND o.path LIKE ${prefix} AND n.status IN ('FAILED', 'UNDELIVERED')
     GROUP BY 1, 2 ORDER BY 4 DESC`;
  const price = ctx.config.SMS_SEGMENT_PRICE_FEN;
  const enterprises = group(byOrg, price);
  const campaign = group(byOrg.map((r) => ({ ...r, key: campaignId, label: null })), price)[0] ?? {
    id: campaignId, label: null, byStatus: {}, total: 0, segmentsSent: 0, estimatedCostFen: 0,
  };
  return {
    campaignId,
    segmentPriceFen: price,
    totals: { byStatus: campaign.byStatus, total: campaign.total, segmentsSent: campaign.segmentsSent, estimatedCostFen: campaign.estimatedCostFen },
    failures: failures.map((f) => ({ status: f.status, errorCode: f.errorCode, reason: f.errorMessage, count: Number(f.count) })),
    enterprises: enterprises.map((g) => ({ orgId: g.id!, name: g.label ?? "", byStatus: g.byStatus, total: g.total, segmentsSent: g.segmentsSent, estimatedCostFen: g.estimatedCostFen })),
    vehicles: group(byVehicle, price).map((g) => ({ vehicleId: g.id!, label: g.label ?? "", byStatus: g.byStatus, total: g.total, segmentsSent: g.segmentsSent, estimatedCostFen: g.estimatedCostFen })),
  };
}

/**
 * A worker's messages (sent and received) in a campaign, found by their mobile through its keyed
 * hash. The number is only ever shown masked; the lookup itself is audited.
 */
export async function listWorkerMessages(ctx: ServiceContext, input: { campaignId: string; mobile: string }) {
  await campaignOf(ctx, input.campaignId);
  const parsed = parseMobile(input.mobile);
  if (!parsed.ok) {
    throw new AppError("VALIDATION_FAILED", {
      code: "MOBILE_INVALID",
      errors: [{ path: "mobile", code: parsed.error.code, message: { zh: parsed.error.message.zh, en: parsed.error.message.en } }],
    });
  }
  const hash = ctx.pii.hash(parsed.value);
  const visibleOrgs = await ctx.db.organisation.findMany({ where: { path: { startsWith: ctx.principal.orgPath } }, select: { id: true } });
  const orgIds = visibleOrgs.map((o) => o.id);
  const [outbound, inbound] = await Promise.all([
    ctx.db.notification.findMany({
      where: { toHash: hash, campaignId: input.campaignId, orgId: { in: orgIds } },
      orderBy: { createdAt: "asc" },
      select: { id: true, kind: true, status: true, body: true, segments: true, errorCode: true, errorMessage: true, createdAt: true, acceptedAt: true, finalAt: true, notBefore: true, orgId: true, travelerId: true },
      take: 500,
    }),
    ctx.db.smsInbound.findMany({
      where: { fromHash: hash, orgId: { in: orgIds } },
      orderBy: { receivedAt: "asc" },
      select: { id: true, body: true, intent: true, receivedAt: true },
      take: 500,
    }),
  ]);
  await recordAudit(ctx.db, ctx, {
    action: "sms.worker_messages_viewed",
    entityType: "campaign",
    entityId: input.campaignId,
    campaignId: input.campaignId,
    details: { mobile: maskMobile(parsed.value), messages: outbound.length + inbound.length },
  });
  const items = [
    ...outbound.map((n) => ({
      direction: "outbound" as const,
      id: n.id,
      kind: n.kind,
      status: n.status,
      body: n.body,
      segments: n.segments,
      errorCode: n.errorCode,
      errorMessage: n.errorMessage,
      at: (n.acceptedAt ?? n.createdAt).toISOString(),
      scheduledFor: n.notBefore?.toISOString() ?? null,
      finalAt: n.finalAt?.toISOString() ?? null,
    })),
    ...inbound.map((m) => ({ direction: "inbound" as const, id: String(m.id), kind: m.intent, status: "RECEIVED", body: m.body, segments: null, errorCode: null, errorMessage: null, at: m.receivedAt.toISOString(), scheduledFor: null, finalAt: null })),
  ].sort((a, b) => a.at.localeCompare(b.at));
  return { mobileMasked: maskMobile(parsed.value), items };
}
