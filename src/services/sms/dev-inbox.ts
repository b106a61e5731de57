// The console provider's inboxes for /dev/sms: what each worker's phone would show (outbound from
// console_messages, replies from sms_inbound), and simulated replies that go through the same
// inbound service as Twilio's webhook.
import { randomBytes } from "node:crypto";
import type { Config } from "../../config.ts";
import { AppError } from "../../errors.ts";
import { parseMobile } from "../../intake/fields/mobile.ts";
import type { ServiceContext } from "../context.ts";
import { handleInboundSms, type InboundResult } from "./webhooks.ts";

function assertCityAdmin(ctx: ServiceContext) {
  if (ctx.principal.orgKind !== "CITY_UNION" || ctx.principal.role !== "ADMIN") throw new AppError("FORBIDDEN", { detail: "city-union admins only" });
}

export interface InboxMessage {
  direction: "outbound" | "inbound";
  body: string;
  at: Date;
  status: string;
}
export interface Inbox {
  /** Keyed hash of the number: identifies the inbox in forms without the number itself. */
  key: string;
  masked: string;
  messages: InboxMessage[];
}

export async function listConsoleInboxes(ctx: ServiceContext, opts: { limit?: number } = {}): Promise<Inbox[]> {
  assertCityAdmin(ctx);
  const latest = await ctx.db.$queryRaw<{ toHash: string; toMasked: string }[]>`
    SELECT to_hash AS "toHash", max(to_masked) AS "toMasked" FROM console_messages
     GROUP BY to_hash ORDER BY max(created_at) DESC LIMIT ${opts.limit ?? 50}`;
  const hashes = latest.map((l) => l.toHash);
  const [outbound, inbound] = await Promise.all([
    ctx.db.consoleMessage.findMany({ where: { toHash: { in: hashes } }, orderBy: { createdAt: "asc" }, select: { toHash: true, body: true, createdAt: true, status: true } }),
    ctx.db.smsInbound.findMany({ where: { fromHash: { in: hashes } }, orderBy: { receivedAt: "asc" }, select: { fromHash: true, body: true, receivedAt: true, intent: true } }),
  ]);
  return latest.map((l) => ({
    key: l.toHash,
    masked: l.toMasked,
    messages: [
      ...outbound.filter((m) => m.toHash === l.toHash).map((m) => ({ direction: "outbound" as const, body: m.body, at: m.createdAt, status: m.status })),
      ...inbound.filter((m) => m.fromHash === l.toHash).map((m) => ({ direction: "inbound" as const, body: m.body, at: m.receivedAt, status: m.intent })),
    ].sort((a, b) => a.at.getTime() - b.at.getTime()),
  }));
}

/**
 * A simulated reply, from an inbox (by its key) or from any typed number. Runs through
 * handleInboundSms exactly like Twilio's webhook; the answer is stored like a console message so
 * the inbox shows it (unknown numbers: returned, stored nowhere).
 */
export async function simulateConsoleReply(ctx: ServiceContext & { config: Config }, input: { key?: string; mobile?: string; body: string }): Promise<InboundResult & { masked: string }> {
  assertCityAdmin(ctx);
  let mobile: string | undefined;
  if (input.key) {
    const row = await ctx.db.consoleMessage.findFirst({ where: { toHash: input.key }, select: { toSealed: true } });
    if (!row) throw new AppError("NOT_FOUND", { detail: "no such inbox" });
    mobile = ctx.pii.open(row.toSealed);
  } else {
    const parsed = parseMobile(input.mobile ?? "");
    if (!parsed.ok) {
      throw new AppError("VALIDATION_FAILED", { code: "MOBILE_INVALID", errors: [{ path: "mobile", code: parsed.error.code, message: parsed.error.message }] });
    }
    mobile = parsed.value;
  }
  const messageSid = `SM${randomBytes(16).toString("hex")}`;
  const result = await handleInboundSms({ db: ctx.db, log: ctx.log, pii: ctx.pii, requestId: ctx.requestId, config: ctx.config }, { messageSid, from: mobile, body: input.body });
  const masked = `${mobile.replace(/^\+86/, "").slice(0, 3)}****${mobile.slice(-4)}`;
  if (result.intent !== "UNKNOWN_NUMBER") {
    await ctx.db.consoleMessage.create({
      data: { sid: `CO${randomBytes(16).toString("hex")}`, toSealed: ctx.pii.seal(mobile), toHash: ctx.pii.hash(mobile), toMasked: masked, body: result.reply, direction: "reply", status: "delivered" },
    });
  }
  return { ...result, masked };
}
