import fc from "fast-check";
import twilio from "twilio";
import { describe, expect, it } from "vitest";
import { SmsError } from "../../../src/sms/errors.ts";
import { PROVIDER_MESSAGE_STATUSES } from "../../../src/sms/provider.ts";
import {
  computeTwilioSignature,
  interpretReply,
  isStatusAdvance,
  parseInboundMessage,
  parseStatusCallback,
  publicWebhookUrl,
  statusRank,
  twimlMessage,
  verifyTwilioSignature,
} from "../../../src/sms/twilio-webhook.ts";

const authToken = "0123456789abcdef0123456789abcdef";
const accountSid = `AC${"a".repeat(32)}`;
const messageSid = `SM${"b".repeat(32)}`;
const publicUrl = "https://sms.example.cn/webhooks/twilio/status?ref=notif-42";
const params = {
  AccountSid: accountSid,
  MessageSid: messageSid,
  MessageStatus: "delivered",
  To: "+8613812345678",
  From: "+8610690012351",
};

describe("Twilio signatures", () => {
  it("computes what the twilio SDK computes, for any parameters", () => {
    const key = fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,12}$/);
    const value = fc.oneof(fc.string(), fc.constantFrom("苏州市总工会 回1确认", "a&b=c", ""));
    fc.assert(
      fc.property(fc.dictionary(key, fc.oneof(value, fc.array(value, { minLength: 1, maxLength: 3 }))), (form) => {
        expect(computeTwilioSignature(authToken, publicUrl, form)).toBe(
          twilio.getExpectedTwilioSignature(authToken, publicUrl, form),
        );
      }),
    );
  });

  it("accepts a genuine signature and rejects a tampered, re-addressed or foreign one", () => {
    const signature = twilio.getExpectedTwilioSignature(authToken, publicUrl, params);
    expect(verifyTwilioSignature({ authToken, publicUrl, params, signature })).toBe(true);
    expect(verifyTwilioSignature({ authToken, publicUrl, params: { ...params, MessageStatus: "failed" }, signature })).toBe(false);
    expect(verifyTwilioSignature({ authToken, publicUrl: publicUrl.replace("notif-42", "notif-43"), params, signature })).toBe(false);
    expect(verifyTwilioSignature({ authToken: "f".repeat(32), publicUrl, params, signature })).toBe(false);
    expect(verifyTwilioSignature({ authToken, publicUrl, params, signature: undefined })).toBe(false);
    expect(verifyTwilioSignature({ authToken, publicUrl, params, signature: "short" })).toBe(false);
  });

  it("tolerates a default port added or dropped between Twilio and us", () => {
    const withPort = "https://sms.example.cn:443/webhooks/twilio/status?ref=notif-42";
    const signedWithPort = twilio.getExpectedTwilioSignature(authToken, withPort, params);
    expect(verifyTwilioSignature({ authToken, publicUrl, params, signature: signedWithPort })).toBe(true);
    const signedWithout = twilio.getExpectedTwilioSignature(authToken, publicUrl, params);
    expect(verifyTwilioSignature({ authToken, publicUrl: withPort, params, signature: signedWithout })).toBe(true);
    const otherPort = "https://sms.example.cn:8443/webhooks/twilio/status?ref=notif-42";
    expect(verifyTwilioSignature({ authToken, publicUrl: otherPort, params, signature: signedWithout })).toBe(false);
  });

  it("rebuilds the signed URL from the configured public base, not from the Host the request came with", () => {
    expect(publicWebhookUrl("https://sms.example.cn/", "http://10.0.0.5:3000/webhooks/twilio/status?ref=notif-42")).toBe(
      publicUrl,
    );
  });
});

describe("parseStatusCallback", () => {
  it("reads Twilio's fields into our shape", () => {
    expect(parseStatusCallback({ ...params, MessageStatus: "undelivered", ErrorCode: "30003", SmsStatus: "undelivered" })).toEqual({
      messageSid,
      status: "undelivered",
      errorCode: 30003,
      to: params.To,
      from: params.From,
      accountSid,
    });
    expect(parseStatusCallback(params).errorCode).toBeNull();
    expect(parseStatusCallback({ ...params, ErrorCode: "" }).errorCode).toBeNull();
  });

  it("accepts every status Twilio documents", () => {
    for (const status of PROVIDER_MESSAGE_STATUSES) {
      expect(parseStatusCallback({ ...params, MessageStatus: status }).status).toBe(status);
    }
  });

  it("refuses an unknown status or a malformed SID with a stable code", () => {
    for (const bad of [{ MessageStatus: "exploded" }, { MessageSid: "SM123" }, { AccountSid: "" }]) {
      const error = (() => {
        try {
          parseStatusCallback({ ...params, ...bad });
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(SmsError);
      expect((error as SmsError).code).toBe("SMS_WEBHOOK_INVALID");
    }
  });
});

describe("parseInboundMessage", () => {
  it("reads the reply of a worker", () => {
    expect(
      parseInboundMessage({ MessageSid: messageSid, AccountSid: accountSid, From: "+8613812345678", To: "+8610690012351", Body: "确认", NumMedia: "0" }),
    ).toEqual({ messageSid, accountSid, from: "+8613812345678", to: "+8610690012351", body: "确认" });
  });

  it("refuses a reply without sender", () => {
    expect(() => parseInboundMessage({ MessageSid: messageSid, AccountSid: accountSid, To: "+86106", Body: "1" })).toThrow(SmsError);
  });
});

describe("statusRank", () => {
  it("never lets a late status overwrite a later one", () => {
    expect(isStatusAdvance(null, "queued")).toBe(true);
    expect(isStatusAdvance("accepted", "queued")).toBe(true);
    expect(isStatusAdvance("queued", "sent")).toBe(true);
    expect(isStatusAdvance("sent", "delivered")).toBe(true);
    expect(isStatusAdvance("delivered", "sent")).toBe(false);
    expect(isStatusAdvance("delivered", "queued")).toBe(false);
    expect(isStatusAdvance("delivered", "delivered")).toBe(false);
    expect(isStatusAdvance("delivered", "undelivered")).toBe(false);
    expect(isStatusAdvance("failed", "delivered")).toBe(false);
    expect(isStatusAdvance("delivered", "read")).toBe(true);
  });

  it("ranks the outbound lifecycle in order", () => {
    const lifecycle = ["accepted", "scheduled", "queued", "sending", "sent", "delivered", "read"] as const;
    const ranks = lifecycle.map(statusRank);
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    expect(new Set(ranks).size).toBe(lifecycle.length);
  });
});

describe("interpretReply", () => {
  it.each([
    ["1", "CONFIRM"], ["１", "CONFIRM"], [" 1 ", "CONFIRM"], ["1。", "CONFIRM"], ["回1", "CONFIRM"],
    ["确认", "CONFIRM"], ["是", "CONFIRM"], ["确 认\n", "CONFIRM"],
    ["2", "CANCEL"], ["２", "CANCEL"], ["取消", "CANCEL"], ["回2", "CANCEL"],
    ["T", "OPT_OUT"], ["t", "OPT_OUT"], ["TD", "OPT_OUT"], ["td", "OPT_OUT"], ["ＴＤ", "OPT_OUT"],
    ["退订", "OPT_OUT"], ["回T", "OPT_OUT"], ["STOP", "OPT_OUT"], ["Stop", "OPT_OUT"], ["UNSUBSCRIBE", "OPT_OUT"],
    ["你好", "HELP"], ["3", "HELP"], ["12", "HELP"], ["", "HELP"], ["回", "HELP"], ["我要确认吗", "HELP"],
  ])("reads %j as %s", (body, intent) => {
    expect(interpretReply(body)).toBe(intent);
  });
});

describe("twimlMessage", () => {
  it("wraps one escaped message in a Response", () => {
    expect(twimlMessage("回复1确认 <a> & \"b\" 'c'")).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Message>回复1确认 &lt;a&gt; &amp; &quot;b&quot; &apos;c&apos;</Message></Response>',
    );
  });

  it("produces what the SDK's own TwiML builder produces for plain text", () => {
    const text = "【苏州市总工会】回1确认，回2取消，回T退订。咨询12351";
    const sdk = new twilio.twiml.MessagingResponse();
    sdk.message(text);
    expect(twimlMessage(text)).toBe(sdk.toString());
  });
});
