import twilio from "twilio";
import type { MessageInstance } from "twilio/lib/rest/api/v2010/account/message.js";
import type { TwilioHttpClient } from "./local-http-client.ts";
import {
  isProviderMessageStatus,
  type FindByReferenceInput,
  type ProviderMessage,
  type ProviderMessageStatus,
  type SendSmsInput,
  type SendSmsResult,
  type SmsProvider,
} from "./provider.ts";
import { countSegments } from "./segments.ts";
import { toSmsError } from "./twilio-errors.ts";
import { STATUS_CALLBACK_REFERENCE_PARAM } from "./twilio-webhook.ts";

// How our reference travels with a Twilio message, and how a lost send is found again.
//
// Twilio Messages have no free metadata field. Two things carry the notification id:
// 1. The StatusCallback URL gets `?ref=<notificationId>`. Twilio posts every status change to that
//    exact URL (signed), so the status webhook learns the MessageSid of a notification whose own
//    write was lost, within seconds, with nothing to poll.
// 2. The body. The pipeline renders it once and stores it with the notification, so it is
//    deterministic. `findByReference` lists the recipient's messages and matches the exact body
//    created in the attempt's time window. Two different notifications with the same body to the
//    same number inside one window would be indistinguishable; they would be duplicates anyway.
// Two Twilio behaviours shape the lookup: a message has no `date_sent` until it leaves Twilio's
// queue (DateSent filters never see a queued message), and the list is eventually consistent, so
// "not found" only counts after `lookupSettleMs`. Body redaction / ContentRetention=discard on
// the account would defeat the body match and must stay off.

export interface TwilioProviderOptions {
  accountSid: string;
  credentials: { authToken: string } | { apiKeySid: string; apiKeySecret: string };
  sender: { messagingServiceSid: string } | { from: string };
  /** Points the real SDK elsewhere (the API double); the SDK's own axios client otherwise. */
  httpClient?: TwilioHttpClient;
  /** For the SDK's own client: request timeout, and sockets kept alive to Twilio (its default is 20). */
  http?: { timeoutMs?: number; maxSockets?: number };
  /** How long the queue should pause after a 20429 (the SDK's RestException hides response headers). */
  rateLimitRetryAfterMs?: number;
  lookupSettleMs?: number;
  /** Slack around the lookup window for the difference between our clock and Twilio's. */
  clockSkewMs?: number;
  /** At most this many of the recipient's messages are read per lookup query. */
  lookupScanLimit?: number;
}

function withReference(statusCallbackUrl: string, reference: string): string {
  const url = new URL(statusCallbackUrl);
  url.searchParams.set(STATUS_CALLBACK_REFERENCE_PARAM, reference);
  return url.toString();
}

// A status newer than this SDK must not turn an accepted message into an error (the retry would
// send it twice): it counts as the lowest outbound status, which later callbacks advance.
function toStatus(status: string): ProviderMessageStatus {
  return isProviderMessageStatus(status) ? status : "accepted";
}

function asDate(value: Date | null | undefined): Date | null {
  return value instanceof Date && !Number.isNaN(value.getTime()) ? value : null;
}

function toProviderMessage(message: MessageInstance): ProviderMessage {
  return {
    providerMessageId: message.sid,
    to: message.to,
    from: message.from || null,
    body: message.body,
    status: toStatus(message.status),
    segments: Number(message.numSegments) || countSegments(message.body).segments,
    errorCode: message.errorCode ?? null,
    createdAt: asDate(message.dateCreated) ?? new Date(0),
    sentAt: asDate(message.dateSent),
  };
}

export class TwilioProvider implements SmsProvider {
  readonly name = "twilio";
  readonly lookupSettleMs: number;
  private readonly client: twilio.Twilio;
  private readonly sender: TwilioProviderOptions["sender"];
  private readonly rateLimitRetryAfterMs: number;
  private readonly clockSkewMs: number;
  private readonly lookupScanLimit: number;

  constructor(options: TwilioProviderOptions) {
    // The SDK only ever calls `request(opts)` on its httpClient; its type names the axios class.
    const clientOptions: twilio.ClientOpts = {
      accountSid: options.accountSid,
      httpClient: options.httpClient as unknown as twilio.RequestClient | undefined,
      ...(!options.httpClient && options.http && { keepAlive: true, timeout: options.http.timeoutMs, maxSockets: options.http.maxSockets }),
    };
    this.client =
      "authToken" in options.credentials
        ? twilio(options.accountSid, options.credentials.authToken, clientOptions)
        : twilio(options.credentials.apiKeySid, options.credentials.apiKeySecret, clientOptions);
    this.sender = options.sender;
    this.rateLimitRetryAfterMs = options.rateLimitRetryAfterMs ?? 1_000;
    this.lookupSettleMs = options.lookupSettleMs ?? 120_000;
    this.clockSkewMs = options.clockSkewMs ?? 60_000;
    this.lookupScanLimit = options.lookupScanLimit ?? 200;
  }

  async send(input: SendSmsInput): Promise<SendSmsResult> {
    const message = await this.call(() =>
      this.client.messages.create({
        to: input.to,
        body: input.body,
        ...this.sender,
        ...(input.statusCallbackUrl && {
          statusCallback: withReference(input.statusCallbackUrl, input.reference),
        }),
        ...(input.validityPeriodSec !== undefined && { validityPeriod: input.validityPeriodSec }),
      }),
    );
    return {
      providerMessageId: message.sid,
      status: toStatus(message.status),
      segments: Number(message.numSegments) || countSegments(input.body).segments,
    };
  }

  async fetch(providerMessageId: string): Promise<ProviderMessage | null> {
    try {
      return toProviderMessage(await this.client.messages(providerMessageId).fetch());
    } catch (error) {
      if (error instanceof twilio.RestException && error.status === 404) return null;
      throw toSmsError(error, { rateLimitRetryAfterMs: this.rateLimitRetryAfterMs });
    }
  }

  async findByReference(input: FindByReferenceInput): Promise<ProviderMessage | null> {
    const earliest = input.sentAfter.getTime() - this.clockSkewMs;
    const latest = input.sentBefore.getTime() + this.clockSkewMs;
    const page = { pageSize: Math.min(this.lookupScanLimit, 100), limit: this.lookupScanLimit };
    const [sentSinceWindow, recent] = await Promise.all([
      // Sent messages, filtered by Twilio. No upper bound: a message created inside the window
      // may leave Twilio's queue much later.
      this.call(() =>
        this.client.messages.list({ to: input.to, dateSentAfter: new Date(Math.floor(earliest / 1000) * 1000), ...page }),
      ),
      // Messages still queued have no date_sent, so only an unfiltered listing shows them.
      this.call(() => this.client.messages.list({ to: input.to, ...page })),
    ]);
    const matches = [...sentSinceWindow, ...recent].filter((message) => {
      const created = asDate(message.dateCreated)?.getTime();
      return (
        message.direction !== "inbound" &&
        message.body === input.body &&
        created !== undefined &&
        created >= earliest &&
        created <= latest
      );
    });
    if (matches.length === 0) return null;
    // More than one match means duplicates already exist; the earliest is the one to keep.
    matches.sort((a, b) => a.dateCreated.getTime() - b.dateCreated.getTime() || a.sid.localeCompare(b.sid));
    return toProviderMessage(matches[0]!);
  }

  private async call<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      throw toSmsError(error, { rateLimitRetryAfterMs: this.rateLimitRetryAfterMs });
    }
  }
}
