// Picks the SMS provider from configuration: Twilio (official SDK) when credentials and a sender
// are configured, otherwise the console provider whose messages land in console_messages (the
// /dev/sms page shows them). Node only: the twilio SDK is never part of the Workers bundle.
import type { Config } from "../../config.ts";
import type { Db } from "../../db/types.ts";
import { maskMobile } from "../../intake/fields/masking.ts";
import type { PiiVault } from "../../pii/vault.ts";
import { ConsoleProvider, type ConsoleMessage, type ConsoleMessageStore } from "../../sms/console-provider.ts";
import { createNodeHttpClient } from "../../sms/node-http-client.ts";
import { isProviderMessageStatus, type SmsProvider } from "../../sms/provider.ts";
import { TwilioProvider } from "../../sms/twilio-provider.ts";

/** console_messages as the console provider's store; numbers sealed, hashed and masked. */
export function createDbConsoleStore(db: Db, pii: PiiVault): ConsoleMessageStore {
  const toMessage = (row: { sid: string; toSealed: string; body: string; status: string; reference: string | null; createdAt: Date }): ConsoleMessage => ({
    providerMessageId: row.sid,
    to: pii.open(row.toSealed),
    from: null,
    body: row.body,
    status: isProviderMessageStatus(row.status) ? row.status : "delivered",
    segments: 1,
    errorCode: null,
    createdAt: row.createdAt,
    sentAt: row.createdAt,
    reference: row.reference ?? "",
  });
  return {
    async insert(message) {
      await db.consoleMessage.create({
        data: {
          sid: message.providerMessageId,
          toSealed: pii.seal(message.to),
          toHash: pii.hash(message.to),
          toMasked: maskMobile(message.to),
          body: message.body,
          status: message.status,
          reference: message.reference,
          createdAt: message.createdAt,
        },
      });
    },
    async findByReference({ to, reference }) {
      const row = await db.consoleMessage.findFirst({ where: { toHash: pii.hash(to), reference }, orderBy: { createdAt: "asc" } });
      return row ? toMessage(row) : null;
    },
    async get(sid) {
      const row = await db.consoleMessage.findUnique({ where: { sid } });
      return row ? toMessage(row) : null;
    },
  };
}

export function twilioConfigured(config: Config): boolean {
  return Boolean(
    config.TWILIO_ACCOUNT_SID &&
      (config.TWILIO_AUTH_TOKEN || (config.TWILIO_API_KEY_SID && config.TWILIO_API_KEY_SECRET)) &&
      (config.TWILIO_MESSAGING_SERVICE_SID || config.TWILIO_FROM),
  );
}

/**
 * How many sends one worker process keeps in flight: enough for the configured rate at Twilio's
 * usual answer time (a few hundred ms per create), so that the limiter, not the number of open
 * requests, sets the pace (the SDK's own agent allows only 20 sockets by default).
 */
export function smsSendConcurrency(config: Config): number {
  return Math.min(500, Math.max(50, Math.ceil(config.SMS_RATE_PER_SECOND * 0.4)));
}

export function createSmsProvider(config: Config, deps: { db: Db; pii: PiiVault }): SmsProvider {
  if (!twilioConfigured(config)) return new ConsoleProvider(createDbConsoleStore(deps.db, deps.pii));
  return new TwilioProvider({
    accountSid: config.TWILIO_ACCOUNT_SID!,
    credentials: config.TWILIO_AUTH_TOKEN
      ? { authToken: config.TWILIO_AUTH_TOKEN }
      : { apiKeySid: config.TWILIO_API_KEY_SID!, apiKeySecret: config.TWILIO_API_KEY_SECRET! },
    sender: config.TWILIO_MESSAGING_SERVICE_SID ? { messagingServiceSid: config.TWILIO_MESSAGING_SERVICE_SID } : { from: config.TWILIO_FROM! },
    httpClient: config.TWILIO_API_BASE_URL
      ? createNodeHttpClient(config.TWILIO_API_BASE_URL, { timeoutMs: config.SMS_SEND_TIMEOUT_MS, maxSockets: smsSendConcurrency(config) })
      : undefined,
    http: { timeoutMs: config.SMS_SEND_TIMEOUT_MS, maxSockets: smsSendConcurrency(config) },
    lookupSettleMs: config.SMS_LOOKUP_SETTLE_MS,
  });
}

/** Where Twilio posts status callbacks (the ?ref= is added per message by the provider). */
export function statusCallbackUrl(config: Config): string | undefined {
  return config.PUBLIC_BASE_URL ? `${config.PUBLIC_BASE_URL.replace(/\/+$/, "")}/webhooks/twilio/status` : undefined;
}
