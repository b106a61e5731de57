// What Twilio tells us: status callbacks (idempotent per (MessageSid, MessageStatus), never moving a
// notification backwards) and replies from workers (confirm, cancel, opt out, help). Free of the
// twilio SDK: these run in the API, also on Cloudflare Workers.
import type { Config } from "../../config.ts";
import type { NotificationStatus } from "../../generated/prisma/enums.ts";
import { maskMobile } from "../../intake/fields/masking.ts";
import type { ProviderMessageStatus } from "../../sms/provider.ts";
import { interpretReply, isStatusAdvance, type ReplyIntent } from "../../sms/twilio-webhook.ts";
import { recordAudit } from "../audit.ts";
import type { SystemContext } from "../context.ts";
import { notificationStatusOf } from "./send.ts";

const PROVIDER_STATUS_OF: Partial<Record<NotificationStatus, ProviderMessageStatus>> = {
  ACCEPTED: "accepted",
  SENT: "sent",
  DELIVERED: "delivered",
  UNDELIVERED: "undelivered",
  FAILED: "failed",
};

const FINAL: NotificationStatus[] = ["DELIVERED", "UNDELIVERED", "FAILED"];

export interface StatusInput {
  messageSid: string;
  status: ProviderMessageStatus;
  errorCode: number | null;
  /** Our reference from the StatusCallback URL (?ref=), when present. */
  reference: string | null;
}

export type StatusResult = { outcome: "duplicate" | "unknown" | "stale" | "applied"; status?: NotificationStatus };

export async function applyStatusCallback(sys: SystemContext, input: StatusInput): Promise<StatusResult> {
  return sys.db.$transaction(async (tx) => {
    const inserted = await tx.$executeRaw`
      INSERT INTO sms_status_events (provider_sid, status, error_code)
      VALUES (${input.messageSid}, ${input.status}, ${input.errorCode === null ? null : String(input.errorCode)})
      ON CONFLICT (provider_sid, status) DO NOTHING`;
    if (inserted === 0) return { outcome: "duplicate" };
    // By SID, or by our reference when the sender's own write of the SID has not happened (yet).
    const rows = await tx.$queryRaw<{ id: string; status: NotificationStatus; providerSid: string | null }[]>`
      SELECT id, status::text AS status, provider_sid AS "providerSid" FROM notifications
       WHERE provider_sid = ${input.messageSid}
          OR (${input.reference}::text IS NOT NULL AND reference = ${input.reference} AND provider_sid IS NULL)
       ORDER BY (provider_sid IS NOT NULL) DESC LIMIT 1 FOR UPDATE`;
    const row = rows[0];
    if (!row) return { outcome: "unknown" };
    const current = row.providerSid ? (PROVIDER_STATUS_OF[row.status] ?? null) : null;
    const next = notificationStatusOf(input.status);
    const now = new Date();
    if (row.providerSid && !isStatusAdvance(current, input.status)) return { outcome: "stale", status: row.status };
    if (row.status === "SUPPRESSED") return { outcome: "stale", status: row.status };
    if (!row.providerSid && current === null && FINAL.includes(row.status)) return { outcome: "stale", status: row.status };
    await tx.notification.update({
      where: { id: row.id },
      data: {
        providerSid: input.messageSid,
        status: next,
        ...(input.errorCode !== null && { errorCode: String(input.errorCode) }),
        ...(FINAL.includes(next) && { finalAt: now }),
        ...(row.providerSid === null && { acceptedAt: now }),
      },
    });
    return { outcome: "applied", status: next };
  });
}

export interface InboundInput {
  messageSid: string;
  from: string;
  body: string;
}

export interface InboundResult {
  intent: ReplyIntent | "UNKNOWN_NUMBER";
  /** The text answered in TwiML. */
  reply: string;
  travelerId: string | null;
}

function replies(config: Config) {
  const s = config.SMS_SIGNATURE;
  const hotline = config.SMS_HOTLINE;
  return {
    CONFIRM: `${s}已确认您的座位，祝您一路平安。`,
    CONFIRM_NO_SEAT: `${s}未找到您的有效座位，咨询请拨打${hotline}。`,
    CANCEL: `${s}已为您取消座位。如需帮助请拨打${hotline}。`,
    CANCEL_NONE: `${s}您的座位此前已取消，如需帮助请拨打${hotline}。`,
    OPT_OUT: `${s}已退订提醒类短信，乘车通知仍会发送。`,
    HELP: `${s}回1确认座位，回2取消座位，回T退订提醒。咨询${hotline}。`,
    UNKNOWN: `${s}您好，本号码用于平安返乡通知，暂无您的信息。咨询请拨打${hotline}。`,
  };
}

/**
 * Handles one inbound SMS. The sender is matched by keyed hash of the number through their most
 * recent notification; replies from unknown numbers are answered and stored nowhere. A Twilio
 * retry of the same MessageSid gets the same answer and changes nothing.
 */
export async function handleInboundSms(sys: SystemContext & { config: Config }, input: InboundInput): Promise<InboundResult> {
  const text = replies(sys.config);
  const fromHash = sys.pii.hash(input.from);
  const intent = interpretReply(input.body);
  const latest = await sys.db.notification.findFirst({
    where: { toHash: fromHash },
    orderBy: { createdAt: "desc" },
    select: { travelerId: true, orgId: true, campaignId: true },
  });
  if (!latest) return { intent: "UNKNOWN_NUMBER", reply: text.UNKNOWN, travelerId: null };
  // Prefer the latest notification that names a traveller (seat replies need one).
  const withTraveler = await sys.db.notification.findFirst({
    where: { toHash: fromHash, travelerId: { not: null } },
    orderBy: { createdAt: "desc" },
    select: { travelerId: true, orgId: true, campaignId: true },
  });
  const subject = withTraveler ?? latest;
  const travelerId = subject.travelerId;

  return sys.db.$transaction(async (tx) => {
    const replay = await tx.smsInbound.findUnique({ where: { messageSid: input.messageSid }, select: { intent: true } });
    const record = () =>
      tx.smsInbound.create({
        data: { messageSid: input.messageSid, fromHash, fromMasked: maskMobile(input.from), travelerId, orgId: subject.orgId, body: input.body.slice(0, 500), intent },
      });

    if (intent === "OPT_OUT") {
      if (!replay) {
        await record();
        await tx.smsOptOut.upsert({ where: { phoneHash: fromHash }, create: { phoneHash: fromHash, source: "sms-reply" }, update: {} });
        await tx.notification.updateMany({
          where: { toHash: fromHash, essential: false, status: { in: ["PENDING", "HELD"] } },
          data: { status: "SUPPRESSED", finalAt: new Date(), errorMessage: "opted out" },
        });
      }
      return { intent, reply: text.OPT_OUT, travelerId };
    }
    if (intent === "HELP") {
      if (!replay) await record();
      return { intent, reply: text.HELP, travelerId };
    }

    // CONFIRM / CANCEL act on the traveller's seat in the latest published run.
    const seat = travelerId
      ? (
          await tx.$queryRaw<{ id: string; status: string; runId: string; vehicleId: string; confirmedAt: Date | null; orgId: string; campaignId: string }[]>`
            SELECT a.id, a.status::text AS status, a.run_id AS "runId", a.vehicle_id AS "vehicleId", a.confirmed_at AS "confirmedAt",
                   a.org_id AS "orgId", a.campaign_id AS "campaignId"
              FROM assignments a JOIN allocation_runs r ON r.id = a.run_id
             WHERE a.traveler_id = ${travelerId}::uuid AND r.status = 'PUBLISHED'
             ORDER BY r.seq DESC LIMIT 1 FOR UPDATE OF a`
        )[0]
      : undefined;
    if (replay) {
      // Same message again (Twilio retried the webhook): same answer, nothing changes.
      if (intent === "CONFIRM") return { intent, reply: seat?.status === "ASSIGNED" ? text.CONFIRM : text.CONFIRM_NO_SEAT, travelerId };
      return { intent, reply: text.CANCEL, travelerId };
    }
    await record();
    if (!seat || !travelerId) return { intent, reply: intent === "CONFIRM" ? text.CONFIRM_NO_SEAT : text.CANCEL_NONE, travelerId };

    const now = new Date();
    if (intent === "CONFIRM") {
      if (seat.status !== "ASSIGNED") return { intent, reply: text.CONFIRM_NO_SEAT, travelerId };
      if (!seat.confirmedAt) {
        await tx.assignment.update({ where: { id: seat.id }, data: { confirmedAt: now } });
        await recordAudit(tx, { requestId: sys.requestId }, { action: "assignment.confirmed_by_sms", entityType: "assignment", entityId: seat.id, orgId: seat.orgId, campaignId: seat.campaignId, details: { via: "sms-reply" } });
      }
      return { intent, reply: text.CONFIRM, travelerId };
    }

    // CANCEL
    if (seat.status !== "ASSIGNED") return { intent, reply: text.CANCEL_NONE, travelerId };
    await tx.assignment.update({ where: { id: seat.id }, data: { status: "CANCELLED", cancelledAt: now } });
    await tx.vehicle.updateMany({ where: { id: seat.vehicleId, seatsUsed: { gt: 0 } }, data: { seatsUsed: { decrement: 1 } } });
    const traveler = await tx.traveler.update({ where: { id: travelerId }, data: { status: "CANCELLED", version: { increment: 1 } }, select: { listId: true } });
    await tx.travelerChange.create({
      data: { listId: traveler.listId, travelerId, action: "CANCEL", details: { source: "sms-reply", assignmentId: seat.id }, actorLabel: "短信回复 / SMS reply" },
    });
    await tx.allocationChangeRequest.create({
      data: { campaignId: seat.campaignId, travelerId, kind: "CANCELLED", source: "sms-reply", details: { assignmentId: seat.id, runId: seat.runId, vehicleId: seat.vehicleId } },
    });
    // Nothing more about this trip: pending reminders and held notices are void.
    await tx.notification.updateMany({
      where: { travelerId, status: { in: ["PENDING", "HELD"] } },
      data: { status: "SUPPRESSED", finalAt: now, errorMessage: "cancelled by the worker" },
    });
    await recordAudit(tx, { requestId: sys.requestId }, { action: "assignment.cancelled_by_sms", entityType: "assignment", entityId: seat.id, orgId: seat.orgId, campaignId: seat.campaignId, details: { via: "sms-reply" } });
    return { intent, reply: text.CANCEL, travelerId };
  });
}
