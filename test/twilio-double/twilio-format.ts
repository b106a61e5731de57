import { randomBytes } from "node:crypto";
import type { ProviderMessageStatus } from "../../src/sms/provider.ts";

// Twilio's wire formats for the Messages resource: SIDs, RFC 2822 dates, snake_case JSON, errors.

export const API_VERSION = "2010-04-01";

export interface DoubleMessage {
  seq: number;
  sid: string;
  accountSid: string;
  direction: "outbound-api" | "inbound";
  to: string;
  from: string | null;
  messagingServiceSid: string | null;
  body: string;
  status: ProviderMessageStatus;
  numSegments: number;
  errorCode: number | null;
  errorMessage: string | null;
  /** Whole seconds, as Twilio stores them. */
  dateCreated: number;
  dateUpdated: number;
  dateSent: number | null;
  /** Millisecond arrival time, for the simulated listing lag. */
  arrivedAtMs: number;
  statusCallback: string | null;
  validityPeriod: number | null;
  reference: string | null;
}

// SIDs are cut from a pool of random bytes refilled 4 KiB at a time: one randomBytes call per
// message was a visible share of the double's CPU in the SMS benchmark.
let sidPool = Buffer.alloc(0);
let sidOffset = 0;
export function newSid(prefix: "SM" | "PA"): string {
  if (sidOffset + 16 > sidPool.length) {
    sidPool = randomBytes(4_096);
    sidOffset = 0;
  }
  sidOffset += 16;
  return prefix + sidPool.toString("hex", sidOffset - 16, sidOffset);
}

export function wholeSeconds(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** "Mon, 25 Jan 2027 07:30:00 +0000", the format the SDK parses. */
export function rfc2822(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, "0");
  return (
    `${DAYS[d.getUTCDay()]}, ${pad(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`
  );
}

export function messageUri(accountSid: string, sid: string): string {
  return `/${API_VERSION}/Accounts/${accountSid}/Messages/${sid}.json`;
}

export function messageJson(message: DoubleMessage): Record<string, unknown> {
  return {
    account_sid: message.accountSid,
    api_version: API_VERSION,
    body: message.body,
    date_created: rfc2822(message.dateCreated),
    date_sent: message.dateSent === null ? null : rfc2822(message.dateSent),
    date_updated: rfc2822(message.dateUpdated),
    direction: message.direction,
    error_code: message.errorCode,
    error_message: message.errorMessage,
    from: message.from,
    messaging_service_sid: message.messagingServiceSid,
    num_media: "0",
    num_segments: String(message.numSegments),
    price: null,
    price_unit: "USD",
    sid: message.sid,
    status: message.status,
    subresource_uris: {
      media: `/${API_VERSION}/Accounts/${message.accountSid}/Messages/${message.sid}/Media.json`,
      feedback: `/${API_VERSION}/Accounts/${message.accountSid}/Messages/${message.sid}/Feedback.json`,
    },
    to: message.to,
    uri: messageUri(message.accountSid, message.sid),
  };
}

export interface TwilioErrorReply {
  status: number;
  body: { code: number; message: string; more_info: string; status: number };
}

export function twilioError(status: number, code: number, message: string): TwilioErrorReply {
  return { status, body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status } };
}
