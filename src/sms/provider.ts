import { SmsError } from "./errors.ts";

export const PROVIDER_MESSAGE_STATUSES = [
  "accepted",
  "scheduled",
  "queued",
  "sending",
  "sent",
  "delivered",
  "undelivered",
  "failed",
  "partially_delivered",
  "canceled",
  "read",
  "receiving",
  "received",
] as const;
export type ProviderMessageStatus = (typeof PROVIDER_MESSAGE_STATUSES)[number];

export function isProviderMessageStatus(value: string): value is ProviderMessageStatus {
  return (PROVIDER_MESSAGE_STATUSES as readonly string[]).includes(value);
}

export interface SendSmsInput {
  /** E.164, e.g. +8613812345678. */
  to: string;
  body: string;
  /** Our notification id; travels with the message where the provider allows it. */
  reference: string;
  statusCallbackUrl?: string;
  /** Seconds the provider may keep the message queued before giving up (a departure is time-bound). */
  validityPeriodSec?: number;
}

export interface SendSmsResult {
  providerMessageId: string;
  status: ProviderMessageStatus;
  segments: number;
}

export interface ProviderMessage {
  providerMessageId: string;
  to: string;
  from: string | null;
  body: string;
  status: ProviderMessageStatus;
  segments: number;
  errorCode: number | null;
  createdAt: Date;
  sentAt: Date | null;
}

export interface FindByReferenceInput {
  to: string;
  reference: string;
  /**
   * The exact body that was sent. Providers without a metadata field (Twilio) match on it, so the
   * pipeline must store the rendered body with the notification and never re-render it.
   */
  body: string;
  /** Recorded by us before the send attempt started. */
  sentAfter: Date;
  /** Usually "now": the attempt that may have sent the message has ended (or crashed). */
  sentBefore: Date;
}

/**
 * What the SMS pipeline needs from a provider. A job that finds its notification `sending`
 * without a message id calls `findByReference` before sending again; a `null` answer is only
 * conclusive once `lookupSettleMs` have passed since `sentBefore`, because the provider's
 * listing may lag behind its acceptance of a message.
 */
export interface SmsProvider {
  readonly name: string;
  readonly lookupSettleMs: number;
  send(input: SendSmsInput): Promise<SendSmsResult>;
  findByReference(input: FindByReferenceInput): Promise<ProviderMessage | null>;
  fetch(providerMessageId: string): Promise<ProviderMessage | null>;
}

/** The provider refused this message for good (bad number, opted out, not a mobile…): do not retry. */
export class SmsPermanentError extends SmsError {
  readonly providerCode: string;

  constructor(providerCode: string | number, messages: { zh: string; en: string }) {
    super("SMS_PERMANENT_FAILURE", messages, { providerCode: String(providerCode) });
    this.providerCode = String(providerCode);
  }
}

/**
 * Retry with backoff. `mayHaveBeenSent` is false only when the request certainly never reached the
 * provider (connection refused, DNS failure); otherwise the retry must look the message up first.
 */
export class SmsTransientError extends SmsError {
  readonly mayHaveBeenSent: boolean;
  readonly providerCode: string | null;

  constructor(
    messages: { zh: string; en: string },
    options: { mayHaveBeenSent: boolean; providerCode?: string | number | null },
  ) {
    const providerCode = options.providerCode == null ? null : String(options.providerCode);
    super("SMS_TRANSIENT_FAILURE", messages, { mayHaveBeenSent: options.mayHaveBeenSent, providerCode });
    this.mayHaveBeenSent = options.mayHaveBeenSent;
    this.providerCode = providerCode;
  }
}

/** The provider is throttling us (Twilio 20429): pause the whole queue, the message was not sent. */
export class SmsRateLimitedError extends SmsError {
  readonly retryAfterMs: number;

  constructor(retryAfterMs: number) {
    super(
      "SMS_RATE_LIMITED",
      { zh: `短信服务商限流，${retryAfterMs} 毫秒后重试`, en: `Rate limited by the SMS provider; retry in ${retryAfterMs} ms` },
      { retryAfterMs },
    );
    this.retryAfterMs = retryAfterMs;
  }
}

/**
 * Our account or sender is misconfigured (wrong credentials, suspended account, sender not ours).
 * Not the message's fault: failing every notification would be wrong, so the pipeline should pause
 * sending and alert instead.
 */
export class SmsConfigurationError extends SmsError {
  readonly providerCode: string;

  constructor(providerCode: string | number, messages: { zh: string; en: string }) {
    super("SMS_PROVIDER_CONFIGURATION", messages, { providerCode: String(providerCode) });
    this.providerCode = String(providerCode);
  }
}
