// Sends one notification exactly once under at-least-once job delivery.
//
// The row is a small state machine guarded by row locks: PENDING/HELD → SENDING (attempts+1,
// sendingAt) is claimed under FOR UPDATE and committed BEFORE the provider is called; the SID is
// written the moment the provider answers. A job that finds the row SENDING without a SID knows an
// earlier attempt may have reached the provider (a crash, a timeout): it waits until that attempt
// has certainly ended (sendingAt + send timeout) and the provider's listing has settled, looks the
// message up by our reference, and sends again only when it is not there.
import type { Config } from "../../config.ts";
import type { NotificationStatus } from "../../generated/prisma/enums.ts";
import { SmsConfigurationError, SmsPermanentError, SmsRateLimitedError, SmsTransientError, type ProviderMessageStatus, type SmsProvider } from "../../sms/provider.ts";
import { isEssential } from "../../sms/templates.ts";
import type { Db } from "../../db/types.ts";
import type { SystemContext } from "../context.ts";
import { statusCallbackUrl } from "./providers.ts";
import { createSendStore, prismaRunner, type ClaimedRow, type SendStore } from "./send-store.ts";

export interface SendDeps extends SystemContext {
  config: Config;
  provider: SmsProvider;
  /** The claim and SID statements (the worker passes one over plain pg); over Prisma when absent. */
  store?: SendStore;
}

const prismaStores = new WeakMap<Db, SendStore>();
function storeOf(deps: SendDeps): SendStore {
  if (deps.store) return deps.store;
  let store = prismaStores.get(deps.db);
  if (!store) {
    store = createSendStore(prismaRunner(deps.db));
    prismaStores.set(deps.db, store);
  }
  return store;
}

export type SendOutcome =
  | { outcome: "missing" }
  | { outcome: "done"; status: NotificationStatus }
  | { outcome: "suppressed"; reason: string }
  /** Not due yet, or an earlier attempt must settle first: run the job again at `until`. */
  | { outcome: "wait"; until: Date; reason: string }
  | { outcome: "sent"; sid: string; status: NotificationStatus }
  | { outcome: "found"; sid: string; status: NotificationStatus }
  | { outcome: "failed"; code: string }
  /** Provider throttling or misconfiguration: the message was not sent, pause the queue. */
  | { outcome: "paused"; retryAfterMs: number; reason: string }
  /** A transient failure: retry with backoff (`maybeSent`: the retry looks the message up first). */
  | { outcome: "retry"; maybeSent: boolean; error: SmsTransientError };

const FINAL_OR_SENT: NotificationStatus[] = ["ACCEPTED", "SENT", "DELIVERED", "UNDELIVERED", "FAILED", "SUPPRESSED"];

export function notificationStatusOf(status: ProviderMessageStatus): NotificationStatus {
  switch (status) {
    case "sent":
      return "SENT";
    case "delivered":
    case "read":
    case "partially_delivered":
      return "DELIVERED";
    case "undelivered":
      return "UNDELIVERED";
    case "failed":
    case "canceled":
      return "FAILED";
    default:
      return "ACCEPTED";
  }
}

const TEMPLATE_OF_KIND = { DEPARTURE: "DEPARTURE_NOTICE", CHANGE: "CHANGE_NOTICE", CANCELLATION: "CANCELLATION", REMINDER: "DAY_BEFORE_REMINDER", WAGES_RECOVERED: "WAGES_RECOVERED" } as const;

type Claimed = ClaimedRow;

type Plan = { mode: "stop"; result: SendOutcome } | { mode: "send"; row: Claimed; sendingAt: Date } | { mode: "lookup"; row: Claimed; sentAfter: Date; sentBefore: Date };

async function claim(deps: SendDeps, notificationId: string, now: Date): Promise<Plan> {
  // Fast path, one statement shared with the other sends in flight: a due essential notice (no
  // opt-out or seat check needed) is claimed by a conditional update; everything else takes the
  // locked read below.
  const fast = await storeOf(deps).claimDue(notificationId);
  if (fast) return { mode: "send", row: fast, sendingAt: fast.sendingAt ?? now };
  // After a worker died, its hundreds of interrupted sends all come this way at once and queue for
  // the pool: waiting a while for a connection beats failing (and backing off) on Prisma's 2 s.
  return deps.db.$transaction(async (tx) => {
    const rows = await tx.$queryRaw<Claimed[]>`
      SELECT id, kind::text AS kind, status::text AS status, to_sealed AS "toSealed", to_hash AS "toHash", body,
             reference, provider_sid AS "providerSid", not_before AS "notBefore", sending_at AS "sendingAt",
             traveler_id AS "travelerId", run_id AS "runId", essential
        FROM notifications WHERE id = ${notificationId}::uuid FOR UPDATE`;
    const row = rows[0];
    if (!row) return { mode: "stop", result: { outcome: "missing" } };
    if (FINAL_OR_SENT.includes(row.status) || row.providerSid) return { mode: "stop", result: { outcome: "done", status: row.status } };

    const suppress = async (reason: string): Promise<Plan> => {
      await tx.notification.update({ where: { id: row.id }, data: { status: "SUPPRESSED", finalAt: now, errorMessage: reason } });
      return { mode: "stop", result: { outcome: "suppressed", reason } };
    };

    if (row.status === "PENDING" || row.status === "HELD") {
      if (row.notBefore && row.notBefore.getTime() > now.getTime()) {
        return { mode: "stop", result: { outcome: "wait", until: row.notBefore, reason: "held" } };
      }
      // Decided at send time, not when the row was written: an opt-out or a cancellation may
      // have happened in between.
      if (!row.essential && !isEssential(TEMPLATE_OF_KIND[row.kind])) {
        const optedOut = await tx.smsOptOut.findUnique({ where: { phoneHash: row.toHash }, select: { phoneHash: true } });
        if (optedOut) return suppress("opted out");
      }
      if (row.kind === "REMINDER" && row.travelerId && row.runId) {
        const seat = await tx.assignment.findUnique({ where: { runId_travelerId: { runId: row.runId, travelerId: row.travelerId } }, select: { status: true } });
        const traveler = await tx.traveler.findUnique({ where: { id: row.travelerId }, select: { status: true } });
        if (seat?.status !== "ASSIGNED" || traveler?.status !== "ACTIVE") return suppress("seat no longer held");
      }
      await tx.notification.update({ where: { id: row.id }, data: { status: "SENDING", attempts: { increment: 1 }, sendingAt: now, errorCode: null, errorMessage: null } });
      return { mode: "send", row, sendingAt: now };
    }

    // SENDING without a SID: an earlier attempt may have reached the provider.
    const startedAt = row.sendingAt ?? now;
    const attemptEnded = startedAt.getTime() + deps.config.SMS_SEND_TIMEOUT_MS;
    if (now.getTime() < attemptEnded) {
      return { mode: "stop", result: { outcome: "wait", until: new Date(attemptEnded), reason: "earlier attempt may still be running" } };
    }
    return { mode: "lookup", row, sentAfter: startedAt, sentBefore: new Date(attemptEnded) };
  }, { maxWait: 15_000, timeout: 15_000 });
}

function recordAccepted(deps: SendDeps, id: string, sid: string, status: NotificationStatus, now: Date): Promise<NotificationStatus> {
  // The status webhook may have been first (it learns the SID from ?ref=): never moves backwards.
  return storeOf(deps).recordAccepted({ id, sid, provider: deps.provider.name, status, at: now });
}

export async function sendNotification(deps: SendDeps, notificationId: string, opts: { lastAttempt?: boolean } = {}): Promise<SendOutcome> {
  const now = new Date();
  const plan = await claim(deps, notificationId, now);
  if (plan.mode === "stop") return plan.result;
  const to = deps.pii.open(plan.row.toSealed);

  if (plan.mode === "lookup") {
    const settledAt = plan.sentBefore.getTime() + deps.provider.lookupSettleMs;
    const found = await findOrTransient(deps, { to, reference: plan.row.reference, body: plan.row.body, sentAfter: plan.sentAfter, sentBefore: plan.sentBefore });
    if (found instanceof SmsTransientError) return { outcome: "retry", maybeSent: true, error: found };
    if (found) {
      const status = await recordAccepted(deps, plan.row.id, found.providerMessageId, notificationStatusOf(found.status), now);
      deps.log.info({ notificationId, sid: found.providerMessageId }, "sms found by reference after an interrupted attempt");
      return { outcome: "found", sid: found.providerMessageId, status };
    }
    if (now.getTime() < settledAt) return { outcome: "wait", until: new Date(settledAt), reason: "provider listing not settled" };
    // Conclusively not sent: start a fresh attempt (under the lock, and only if still ours).
    const reclaimed = await deps.db.notification.updateMany({
      where: { id: plan.row.id, status: "SENDING", providerSid: null, sendingAt: plan.sentAfter },
      data: { status: "SENDING", attempts: { increment: 1 }, sendingAt: now },
    });
    if (reclaimed.count === 0) return { outcome: "wait", until: now, reason: "row changed during lookup" };
    return attempt(deps, plan.row, to, now, opts);
  }
  return attempt(deps, plan.row, to, plan.sendingAt, opts);
}

async function findOrTransient(deps: SendDeps, input: Parameters<SmsProvider["findByReference"]>[0]) {
  try {
    return await deps.provider.findByReference(input);
  } catch (error) {
    if (error instanceof SmsTransientError) return error;
    if (error instanceof SmsRateLimitedError) {
      return new SmsTransientError({ zh: "查询被限流", en: "lookup rate limited" }, { mayHaveBeenSent: true, providerCode: 20429 });
    }
    throw error;
  }
}

async function attempt(deps: SendDeps, row: Claimed, to: string, sendingAt: Date, opts: { lastAttempt?: boolean }): Promise<SendOutcome> {
  const { config, provider, db } = deps;
  try {
    const result = await provider.send({
      to,
      body: row.body,
      reference: row.reference,
      statusCallbackUrl: statusCallbackUrl(config),
      validityPeriodSec: config.SMS_VALIDITY_PERIOD_SEC,
    });
    const status = await recordAccepted(deps, row.id, result.providerMessageId, notificationStatusOf(result.status), new Date());
    return { outcome: "sent", sid: result.providerMessageId, status };
  } catch (error) {
    const back = (data: { errorCode?: string | null; errorMessage?: string }) =>
      db.notification.updateMany({ where: { id: row.id, status: "SENDING", providerSid: null, sendingAt }, data: { status: "PENDING", ...data } });
    if (error instanceof SmsPermanentError) {
      await db.notification.updateMany({
        where: { id: row.id, status: "SENDING", providerSid: null },
        data: { status: "FAILED", errorCode: error.providerCode, errorMessage: error.localised.en, finalAt: new Date() },
      });
      return { outcome: "failed", code: error.providerCode };
    }
    if (error instanceof SmsRateLimitedError) {
      await back({ errorCode: "20429", errorMessage: error.localised.en });
      return { outcome: "paused", retryAfterMs: error.retryAfterMs, reason: "rate limited" };
    }
    if (error instanceof SmsConfigurationError) {
      await back({ errorCode: error.providerCode, errorMessage: error.localised.en });
      deps.log.error({ code: error.providerCode }, "SMS provider configuration error: sending paused");
      return { outcome: "paused", retryAfterMs: 60_000, reason: "provider configuration" };
    }
    if (error instanceof SmsTransientError) {
      if (!error.mayHaveBeenSent) {
        if (opts.lastAttempt) {
          await db.notification.updateMany({
            where: { id: row.id, status: "SENDING", providerSid: null, sendingAt },
            data: { status: "FAILED", errorCode: error.providerCode ?? "TRANSIENT", errorMessage: `gave up: ${error.localised.en}`, finalAt: new Date() },
          });
        } else {
          await back({ errorCode: error.providerCode, errorMessage: error.localised.en });
        }
      } else {
        // Left SENDING: the next attempt looks the message up before sending again.
        await db.notification.updateMany({ where: { id: row.id, status: "SENDING", providerSid: null }, data: { errorCode: error.providerCode, errorMessage: error.localised.en } });
      }
      return { outcome: "retry", maybeSent: error.mayHaveBeenSent, error };
    }
    throw error;
  }
}
