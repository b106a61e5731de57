// Fan-out of send jobs (one per notification, job id = notification id, delayed while held) and
// the wages-recovered notices. The queue itself is passed in: services stay free of BullMQ.
import { randomUUID } from "node:crypto";
import type { Config } from "../../config.ts";
import type { Db } from "../../db/types.ts";
import { previewMessage } from "../../sms/templates.ts";
import type { SystemContext } from "../context.ts";
import { templateConfig } from "./render.ts";
import { parseQuietHours, releasePlan } from "./timing.ts";

export interface SendJob {
  notificationId: string;
  /** Milliseconds to wait (held for quiet hours or a scheduled reminder). */
  delayMs: number;
}
export type EnqueueSends = (jobs: SendJob[]) => Promise<void>;

const PAGE = 5_000;

/**
 * Enqueues every notification of the selection still waiting to be sent, in pages; with `dueBy`
 * only those due by then (no `notBefore`, or one not after it).
 */
async function enqueueWaiting(db: Db, where: { runId?: string; wageCaseId?: string; ids?: string[]; dueBy?: Date }, enqueue: EnqueueSends): Promise<number> {
  let after = "00000000-0000-0000-0000-000000000000";
  let total = 0;
  for (;;) {
    const rows = await db.notification.findMany({
      where: {
        ...(where.runId && { runId: where.runId }),
        ...(where.wageCaseId && { wageCaseId: where.wageCaseId }),
        ...(where.dueBy && { OR: [{ notBefore: null }, { notBefore: { lte: where.dueBy } }] }),
        status: { in: ["PENDING", "HELD"] },
        id: where.ids ? { in: where.ids, gt: after } : { gt: after },
      },
      select: { id: true, notBefore: true },
      orderBy: { id: "asc" },
      take: PAGE,
    });
    if (rows.length === 0) return total;
    const now = Date.now();
    await enqueue(rows.map((r) => ({ notificationId: r.id, delayMs: r.notBefore ? Math.max(0, r.notBefore.getTime() - now) : 0 })));
    total += rows.length;
    after = rows[rows.length - 1]!.id;
  }
}

/** How far ahead a fan-out also takes notifications that are about to become due. */
const FAN_OUT_HORIZON_MS = 60_000;

/**
 * Enqueues the run's notifications that are due (within a minute), and answers when the next
 * held ones fall due (quiet hours end, the day-before reminders): the caller schedules the next
 * fan-out for then. So a publish of N travellers puts N send jobs into the queue, not 2N (the
 * reminders wait in the table, not as N delayed jobs), and the sends start sooner.
 */
export async function fanOutRun(sys: SystemContext, runId: string, enqueue: EnqueueSends, now = new Date()): Promise<{ enqueued: number; nextAt: Date | null }> {
  const dueBy = new Date(now.getTime() + FAN_OUT_HORIZON_MS);
  const enqueued = await enqueueWaiting(sys.db, { runId, dueBy }, enqueue);
  const next = await sys.db.notification.aggregate({
    where: { runId, status: { in: ["PENDING", "HELD"] }, notBefore: { gt: dueBy } },
    _min: { notBefore: true },
  });
  const nextAt = next._min.notBefore ?? null;
  sys.log.info({ runId, enqueued, nextAt }, "sms fan-out");
  return { enqueued, nextAt };
}

function fenToYuan(fen: bigint): number {
  return Number(fen) / 100;
}

/**
 * Writes one WAGES_RECOVERED notification per worker paid by the payment who has a mobile (once
 * per worker and case), then enqueues them. Idempotent: a retried job finds its rows by dedupe key.
 */
export async function notifyWagesRecovered(
  sys: SystemContext & { config: Config },
  input: { caseId: string; paymentId: string },
  enqueue: EnqueueSends,
): Promise<{ created: number; enqueued: number }> {
  const { db, config } = sys;
  const payment = await db.wagePayment.findUnique({ where: { id: input.paymentId }, select: { caseId: true, amountFen: true, workersPaid: true } });
  if (!payment || payment.caseId !== input.caseId) {
    sys.log.warn({ ...input }, "wages-recovered: payment not found for the case");
    return { created: 0, enqueued: 0 };
  }
  const wageCase = await db.wageCase.findUnique({ where: { id: input.caseId }, select: { id: true, orgId: true, campaignId: true } });
  if (!wageCase) return { created: 0, enqueued: 0 };
  let campaignId = wageCase.campaignId;
  if (!campaignId) {
    // Cases outside a campaign: the city's latest campaign (visibility and the summary need one).
    const org = await db.organisation.findUnique({ where: { id: wageCase.orgId }, select: { path: true } });
    const rootId = org?.path.split("/")[1];
    const campaign = rootId ? await db.campaign.findFirst({ where: { cityOrgId: rootId }, orderBy: { createdAt: "desc" }, select: { id: true } }) : null;
    campaignId = campaign?.id ?? null;
  }
  if (!campaignId) {
    sys.log.warn({ caseId: input.caseId }, "wages-recovered: no campaign to file the notices under");
    return { created: 0, enqueued: 0 };
  }
  // The workers this payment paid (wage_case_workers.payment_id, set in the payment's transaction).
  const workers = await db.wageCaseWorker.findMany({
    where: { caseId: input.caseId, paymentId: input.paymentId, mobileSealed: { not: null } },
    select: { id: true, mobileSealed: true, mobileHash: true, mobileMasked: true, amountOwedFen: true },
  });
  const share = payment.workersPaid > 0 ? payment.amountFen / BigInt(payment.workersPaid) : payment.amountFen;
  const quiet = parseQuietHours(config.SMS_QUIET_HOURS);
  const now = new Date();
  const plan = releasePlan(now, quiet, { urgent: false });
  const optedOut = new Set(
    (await db.smsOptOut.findMany({ where: { phoneHash: { in: workers.map((w) => w.mobileHash!) } }, select: { phoneHash: true } })).map((o) => o.phoneHash),
  );
  let created = 0;
  for (const worker of workers) {
    const fen = worker.amountOwedFen && worker.amountOwedFen > 0n ? worker.amountOwedFen : share;
    if (fen <= 0n) continue;
    const text = previewMessage("WAGES_RECOVERED", { amountYuan: fenToYuan(fen) }, templateConfig(config));
    const id = randomUUID();
    const suppressed = optedOut.has(worker.mobileHash!);
    const result = await db.notification.createMany({
      data: [{
        id,
        campaignId,
        orgId: wageCase.orgId,
        kind: "WAGES_RECOVERED",
        dedupeKey: `WAGES_RECOVERED:${input.caseId}:${worker.id}`,
        wageCaseId: input.caseId,
        toSealed: worker.mobileSealed!,
        toHash: worker.mobileHash!,
        toMasked: worker.mobileMasked ?? "",
        body: text.text,
        segments: text.segments.segments,
        urgent: false,
        essential: text.essential,
        status: suppressed ? "SUPPRESSED" : plan.status,
        notBefore: plan.notBefore,
        reference: `n${id.replaceAll("-", "")}`,
        ...(suppressed && { finalAt: now, errorMessage: "opted out" }),
      }],
      skipDuplicates: true,
    });
    created += result.count;
  }
  const enqueued = await enqueueWaiting(db, { wageCaseId: input.caseId }, enqueue);
  return { created, enqueued };
}

/**
 * Notifications that should be moving but may have lost their job (a Redis failover that dropped
 * writes, a job that failed for good on an unexpected error): due PENDING/HELD rows untouched for
 * `staleMs`, and SENDING rows whose attempt has long ended. The caller re-enqueues those without
 * a live job; the send service's state machine makes an extra job harmless.
 */
export async function findStuckNotifications(sys: SystemContext & { config: Config }, opts: { staleMs?: number; limit?: number; sendingOnly?: boolean } = {}): Promise<string[]> {
  const staleMs = opts.staleMs ?? 120_000;
  const now = Date.now();
  const dueBefore = new Date(now - staleMs);
  const sendingBefore = new Date(now - staleMs - sys.config.SMS_SEND_TIMEOUT_MS - sys.config.SMS_LOOKUP_SETTLE_MS);
  const sending = { status: "SENDING" as const, providerSid: null, sendingAt: { lt: sendingBefore } };
  const rows = await sys.db.notification.findMany({
    where: {
      OR: [
        ...(opts.sendingOnly ? [] : [{ status: { in: ["PENDING" as const, "HELD" as const] }, updatedAt: { lt: dueBefore }, OR: [{ notBefore: null }, { notBefore: { lte: new Date(now) } }] }]),
        sending,
      ],
    },
    select: { id: true },
    orderBy: { updatedAt: "asc" },
    take: opts.limit ?? 5_000,
  });
  return rows.map((r) => r.id);
}
