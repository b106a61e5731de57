import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { SmsError } from "./errors.ts";
import { PROVIDER_MESSAGE_STATUSES, type ProviderMessageStatus } from "./provider.ts";

// Helpers for Twilio's webhooks (status callbacks and inbound messages). Free of the twilio SDK
// so that the webhook routes also bundle for Cloudflare Workers (node:crypto via nodejs_compat).

/** Query parameter of the StatusCallback URL that carries our notification id. */
export const STATUS_CALLBACK_REFERENCE_PARAM = "ref";

export type WebhookParams = Record<string, string | string[]>;

/**
 * Twilio's signature: base64 HMAC-SHA1 keyed with the auth token over the full URL followed by
 * every POST parameter name and value, names sorted (repeated values sorted too).
 */
export function computeTwilioSignature(authToken: string, url: string, params: WebhookParams): string {
  let data = url;
  for (const key of Object.keys(params).sort()) {
    const value = params[key]!;
    for (const item of Array.isArray(value) ? [...new Set(value)].sort() : [value]) data += key + item;
  }
  return createHmac("sha1", authToken).update(data, "utf8").digest("base64");
}

const DEFAULT_PORTS: Record<string, string> = { "https:": "443", "http:": "80" };

// Twilio signs the URL as configured; proxies in between may add or drop the default port.
function urlVariants(publicUrl: string): string[] {
  const match = /^(https?:)\/\/([^/?#:]+)(:\d+)?(.*)$/i.exec(publicUrl);
  if (!match) return [publicUrl];
  const [, scheme, host, port, rest] = match;
  const defaultPort = DEFAULT_PORTS[scheme!.toLowerCase()]!;
  if (port !== undefined && port !== `:${defaultPort}`) return [publicUrl];
  const withoutPort = `${scheme}//${host}${rest}`;
  return [withoutPort, `${scheme}//${host}:${defaultPort}${rest}`];
}

export function verifyTwilioSignature(input: {
  authToken: string;
  /** The URL Twilio called, rebuilt from our configured public base URL, never from the Host header. */
  publicUrl: string;
  params: WebhookParams;
  signature: string | null | undefined;
}): boolean {
  if (!input.signature) return false;
  const encoder = new TextEncoder();
  const received = encoder.encode(input.signature);
  return urlVariants(input.publicUrl).some((url) => {
    const expected = encoder.encode(computeTwilioSignature(input.authToken, url, input.params));
    return expected.length === received.length && timingSafeEqual(expected, received);
  });
}

/** The URL Twilio signed: configured public base + the path and query the request arrived with. */
export function publicWebhookUrl(publicBaseUrl: string, requestUrl: string): string {
  const { pathname, search } = new URL(requestUrl);
  return publicBaseUrl.replace(/\/+$/, "") + pathname + search;
}

const sidSchema = (prefixes: string) => z.string().regex(new RegExp(`^(${prefixes})[0-9a-f]{32}$`));

const statusCallbackSchema = z
  .object({
    MessageSid: sidSchema("SM|MM"),
    MessageStatus: z.enum(PROVIDER_MESSAGE_STATUSES),
    ErrorCode: z.union([z.literal(""), z.string().regex(/^\d+$/)]).optional(),
    To: z.string().min(1),
    From: z.string().optional(),
    AccountSid: sidSchema("AC"),
  })
  .transform((p) => ({
    messageSid: p.MessageSid,
    status: p.MessageStatus,
    errorCode: p.ErrorCode ? Number(p.ErrorCode) : null,
    to: p.To,
    from: p.From ?? null,
    accountSid: p.AccountSid,
  }));
export type StatusCallback = z.output<typeof statusCallbackSchema>;

const inboundMessageSchema = z
  .object({
    MessageSid: sidSchema("SM|MM"),
    From: z.string().min(1),
    To: z.string().min(1),
    Body: z.string(),
    AccountSid: sidSchema("AC"),
  })
  .transform((p) => ({
    messageSid: p.MessageSid,
    from: p.From,
    to: p.To,
    body: p.Body,
    accountSid: p.AccountSid,
  }));
export type InboundMessage = z.output<typeof inboundMessageSchema>;

function parseWebhook<T>(schema: z.ZodType<T>, params: WebhookParams, what: { zh: string; en: string }): T {
  const parsed = schema.safeParse(params);
  if (parsed.success) return parsed.data;
  const fields = parsed.error.issues.map((issue) => issue.path.join(".")).join(", ");
  throw new SmsError(
    "SMS_WEBHOOK_INVALID",
    { zh: `Twilio ${what.zh}参数无效：${fields}`, en: `Invalid Twilio ${what.en} parameters: ${fields}` },
    { fields: parsed.error.issues.map((issue) => issue.path.join(".")) },
  );
}

export function parseStatusCallback(params: WebhookParams): StatusCallback {
  return parseWebhook(statusCallbackSchema, params, { zh: "状态回调", en: "status callback" });
}

export function parseInboundMessage(params: WebhookParams): InboundMessage {
  return parseWebhook(inboundMessageSchema, params, { zh: "上行短信", en: "inbound message" });
}

// Twilio does not promise callbacks in order; a status may only replace one of lower rank, so a
// late "sent" never overwrites "delivered". Final outcomes share a rank: the first one stands.
const STATUS_RANK: Record<ProviderMessageStatus, number> = {
  accepted: 1,
  scheduled: 2,
  queued: 3,
  sending: 4,
  sent: 5,
  delivered: 6,
  undelivered: 6,
  failed: 6,
  partially_delivered: 6,
  canceled: 6,
  read: 7,
  receiving: 1,
  received: 2,
};

export function statusRank(status: ProviderMessageStatus): number {
  return STATUS_RANK[status];
}

export function isStatusAdvance(current: ProviderMessageStatus | null, incoming: ProviderMessageStatus): boolean {
  return current === null || statusRank(incoming) > statusRank(current);
}

export type ReplyIntent = "CONFIRM" | "CANCEL" | "OPT_OUT" | "HELP";

const CONFIRM_WORDS = new Set(["1", "确认", "是"]);
const CANCEL_WORDS = new Set(["2", "取消"]);
// Chinese carriers' unsubscribe words plus Twilio's standard opt-out keywords: Twilio itself
// blocks further messages after those (error 21610), so we must record the opt-out as well.
const OPT_OUT_WORDS = new Set([
  "T", "TD", "退订", "STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT",
]);

export function interpretReply(body: string): ReplyIntent {
  // NFKC folds full-width digits and letters (１, ＴＤ) into ASCII.
  const word = body
    .normalize("NFKC")
    .replace(/[\s\p{P}\p{S}]/gu, "")
    .toUpperCase()
    // Workers often echo the hint itself: "回1", "回TD".
    .replace(/^回(?=.)/, "");
  if (CONFIRM_WORDS.has(word)) return "CONFIRM";
  if (CANCEL_WORDS.has(word)) return "CANCEL";
  if (OPT_OUT_WORDS.has(word)) return "OPT_OUT";
  return "HELP";
}

const XML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" };

/** TwiML that answers an inbound SMS with one message. */
export function twimlMessage(text: string): string {
  const escaped = text.replace(/[&<>"']/g, (char) => XML_ESCAPES[char]!);
  return `<?xml version="1.0" encoding="UTF-8"?><Response><Message>${escaped}</Message></Response>`;
}
