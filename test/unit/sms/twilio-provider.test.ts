import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import twilio from "twilio";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createLocalHttpClient } from "../../../src/sms/local-http-client.ts";
import {
  SmsConfigurationError,
  SmsPermanentError,
  SmsRateLimitedError,
  SmsTransientError,
} from "../../../src/sms/provider.ts";
import { previewMessage } from "../../../src/sms/templates.ts";
import { TwilioProvider, type TwilioProviderOptions } from "../../../src/sms/twilio-provider.ts";
import { parseStatusCallback, verifyTwilioSignature } from "../../../src/sms/twilio-webhook.ts";
import { startTwilioDouble, type TwilioDouble } from "../../twilio-double/server.ts";
import { startWebhookReceiver, type WebhookReceiver } from "../../twilio-double/webhook-receiver.ts";

// The real twilio SDK, pointed at the Twilio API double through our fetch-based httpClient.

const accountSid = `AC${randomBytes(16).toString("hex")}`;
const authToken = randomBytes(16).toString("hex");
const apiKeySid = `SK${randomBytes(16).toString("hex")}`;
const apiKeySecret = randomBytes(16).toString("hex");
const messagingServiceSid = `MG${randomBytes(16).toString("hex")}`;
const FROM = "+8610690012351";

let double: TwilioDouble;
let receiver: WebhookReceiver;

beforeAll(async () => {
  double = await startTwilioDouble({ accountSid, authToken, apiKeys: { [apiKeySid]: apiKeySecret } });
  receiver = await startWebhookReceiver();
});
afterAll(async () => {
  await double.close();
  await receiver.close();
});
afterEach(() => {
  double.reset();
  double.configure({
    failureRates: { serverError: 0, tooManyRequests: 0, serverErrorAfterAccept: 0 },
    ratePerSecond: null,
    unsubscribed: [],
    callbacks: { delayMs: { min: 5, max: 20 }, undeliveredRate: 0, failedRate: 0 },
  });
  receiver.received.length = 0;
});

function provider(overrides: Partial<TwilioProviderOptions> = {}): TwilioProvider {
  return new TwilioProvider({
    accountSid,
    credentials: { authToken },
    sender: { from: FROM },
    httpClient: createLocalHttpClient(double.baseUrl),
    rateLimitRetryAfterMs: 750,
    clockSkewMs: 2_000,
    ...overrides,
  });
}

function sdk(): twilio.Twilio {
  return twilio(accountSid, authToken, {
    httpClient: createLocalHttpClient(double.baseUrl) as unknown as twilio.RequestClient,
  });
}

const departure = previewMessage(
  "DEPARTURE_NOTICE",
  {
    date: "2027-01-25",
    time: "07:30",
    pickupPoint: "吴江汽车站3号门",
    vehicle: { kind: "BUS", plate: "苏E·D1234", seat: "12" },
    contactPhone: "13812345678",
  },
  { signature: "【苏州市总工会】", hotline: "12351", maxSegments: 2 },
).text;

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.unreachable("expected the send to fail"),
    (error: unknown) => error,
  );
}

describe("sending through the real SDK", () => {
  it("creates a message and the double logs it with our reference", async () => {
    const result = await provider().send({
      to: "+8613812345678",
      body: departure,
      reference: "notif-1",
      statusCallbackUrl: `${receiver.baseUrl}/status`,
      validityPeriodSec: 600,
    });
    expect(result.providerMessageId).toMatch(/^SM[0-9a-f]{32}$/);
    expect(result.status).toBe("queued");
    expect(result.segments).toBe(1);
    expect(double.accepted()).toEqual([
      expect.objectContaining({ sid: result.providerMessageId, to: "+8613812345678", body: departure, reference: "notif-1" }),
    ]);
    const stored = double.message(result.providerMessageId)!;
    expect(stored.statusCallback).toBe(`${receiver.baseUrl}/status?ref=notif-1`);
    expect(stored.validityPeriod).toBe(600);
    expect(stored.from).toBe(FROM);
  });

  it("uses a Messaging Service: accepted first, sender chosen by the service", async () => {
    const viaService = provider({ sender: { messagingServiceSid } });
    const result = await viaService.send({ to: "+8613812345678", body: departure, reference: "notif-2", statusCallbackUrl: `${receiver.baseUrl}/status` });
    expect(result.status).toBe("accepted");
    expect(double.message(result.providerMessageId)!.messagingServiceSid).toBe(messagingServiceSid);
    await receiver.waitFor((r) => r.some((w) => w.params.MessageStatus === "delivered"));
    expect(receiver.received.map((w) => w.params.MessageStatus)).toEqual(["accepted", "queued", "sent", "delivered"]);
    expect((await viaService.fetch(result.providerMessageId))!.from).toBe(double.configure({}).messagingServiceSender);
  });

  it("authenticates with an API key and secret as well", async () => {
    const withKey = provider({ credentials: { apiKeySid, apiKeySecret } });
    const result = await withKey.send({ to: "+8613812345678", body: "key", reference: "notif-3" });
    expect(double.message(result.providerMessageId)!.accountSid).toBe(accountSid);
  });

  it("fetches a message by id, and answers null for an unknown id", async () => {
    const p = provider();
    const { providerMessageId } = await p.send({ to: "+8613912345678", body: departure, reference: "notif-4" });
    const fetched = await p.fetch(providerMessageId);
    expect(fetched).toMatchObject({ providerMessageId, to: "+8613912345678", from: FROM, body: departure, segments: 1, errorCode: null });
    expect(fetched!.createdAt).toBeInstanceOf(Date);
    expect(await p.fetch(`SM${"0".repeat(32)}`)).toBeNull();
  });
});

describe("listing through the SDK", () => {
  it("filters by recipient and DateSent window and follows next_page_uri", async () => {
    const p = provider();
    const start = new Date(Math.floor(Date.now() / 1000) * 1000);
    for (let i = 0; i < 5; i += 1) await p.send({ to: "+8613800000001", body: `A${i}`, reference: `a${i}` });
    for (let i = 0; i < 2; i += 1) await p.send({ to: "+8613800000002", body: `B${i}`, reference: `b${i}` });
    await waitUntil(() => double.accepted().every((m) => double.message(m.sid)!.dateSent !== null));

    const client = sdk();
    const toA = await client.messages.list({ to: "+8613800000001", pageSize: 2 });
    expect(toA.map((m) => m.body).sort()).toEqual(["A0", "A1", "A2", "A3", "A4"]);

    const firstPage = await client.messages.page({ to: "+8613800000001", pageSize: 2 });
    expect(firstPage.instances).toHaveLength(2);
    expect(firstPage.nextPageUrl).toContain("PageToken=PASM");
    const secondPage = await firstPage.nextPage();
    expect(secondPage!.instances).toHaveLength(2);
    expect(secondPage!.instances.map((m) => m.sid)).not.toContain(firstPage.instances[0]!.sid);

    const inWindow = await client.messages.list({ to: "+8613800000002", dateSentAfter: start });
    expect(inWindow).toHaveLength(2);
    const tomorrow = new Date(Date.now() + 86_400_000);
    expect(await client.messages.list({ to: "+8613800000002", dateSentAfter: tomorrow })).toHaveLength(0);
    expect(await client.messages.list({ to: "+8613800000002", dateSentBefore: new Date(start.getTime() - 60_000) })).toHaveLength(0);
    expect(await client.messages.list({ to: "+8613800000002", dateSentBefore: tomorrow })).toHaveLength(2);
  });
});

describe("findByReference: recovering a send whose answer was lost", () => {
  it("finds a message still queued at Twilio (no date_sent yet) by recipient, body and window", async () => {
    double.configure({ callbacks: { delayMs: { min: 60_000, max: 60_000 } } });
    const p = provider();
    const sentAfter = new Date();
    const { providerMessageId } = await p.send({ to: "+8613812345678", body: departure, reference: "notif-5" });
    expect(double.message(providerMessageId)!.dateSent).toBeNull();

    const found = await p.findByReference({ to: "+8613812345678", reference: "notif-5", body: departure, sentAfter, sentBefore: new Date() });
    expect(found).toMatchObject({ providerMessageId, status: "queued", sentAt: null });
  });

  it("finds a message already sent, and nothing for another body, recipient or window", async () => {
    const p = provider();
    const sentAfter = new Date();
    await p.send({ to: "+8613812345678", body: "其他通知", reference: "other" });
    const { providerMessageId } = await p.send({ to: "+8613812345678", body: departure, reference: "notif-6" });
    await waitUntil(() => double.message(providerMessageId)!.status === "delivered");
    const window = { reference: "notif-6", sentAfter, sentBefore: new Date() };

    expect(await p.findByReference({ to: "+8613812345678", body: departure, ...window })).toMatchObject({
      providerMessageId,
      status: "delivered",
    });
    expect(await p.findByReference({ to: "+8613812345678", body: `${departure}!`, ...window })).toBeNull();
    expect(await p.findByReference({ to: "+8613900000000", body: departure, ...window })).toBeNull();
    const later = new Date(Date.now() + 60_000);
    expect(await p.findByReference({ to: "+8613812345678", body: departure, reference: "notif-6", sentAfter: later, sentBefore: later })).toBeNull();
  });

  it("finds the message behind an ambiguous 500 (accepted, then the answer failed)", async () => {
    double.configure({ failureRates: { serverErrorAfterAccept: 1 } });
    const p = provider();
    const sentAfter = new Date();
    const error = await rejection(p.send({ to: "+8613812345678", body: departure, reference: "notif-7" }));
    expect(error).toBeInstanceOf(SmsTransientError);
    expect((error as SmsTransientError).mayHaveBeenSent).toBe(true);
    const found = await p.findByReference({ to: "+8613812345678", reference: "notif-7", body: departure, sentAfter, sentBefore: new Date() });
    expect(found?.providerMessageId).toBe(double.accepted()[0]!.sid);
  });

  it("returns the earliest when duplicates already exist", async () => {
    const p = provider();
    const sentAfter = new Date();
    const first = await p.send({ to: "+8613812345678", body: departure, reference: "notif-8" });
    // Twilio's timestamps have whole seconds: only a later second makes the order visible.
    await new Promise((resolve) => setTimeout(resolve, 1_000 - (Date.now() % 1_000) + 5));
    await p.send({ to: "+8613812345678", body: departure, reference: "notif-8" });
    const found = await p.findByReference({ to: "+8613812345678", reference: "notif-8", body: departure, sentAfter, sentBefore: new Date() });
    expect(found?.providerMessageId).toBe(first.providerMessageId);
  });
});

describe("error mapping", () => {
  it.each([
    ["not E.164 (21211)", "13812345678", "21211"],
    ["not a mobile (21614)", "+861012345678", "21614"],
  ])("refuses for good a number that is %s", async (_name, to, code) => {
    const error = await rejection(provider().send({ to, body: departure, reference: "x" }));
    expect(error).toBeInstanceOf(SmsPermanentError);
    expect((error as SmsPermanentError).providerCode).toBe(code);
    expect((error as SmsPermanentError).localised.zh.length).toBeGreaterThan(0);
    expect(double.accepted()).toHaveLength(0);
  });

  it("refuses for good a number that opted out at Twilio (21610)", async () => {
    double.configure({ unsubscribed: ["+8613812345678"] });
    const error = await rejection(provider().send({ to: "+8613812345678", body: departure, reference: "x" }));
    expect(error).toBeInstanceOf(SmsPermanentError);
    expect((error as SmsPermanentError).providerCode).toBe("21610");
  });

  it("reports 20429 as rate limited with the configured pause", async () => {
    double.configure({ failureRates: { tooManyRequests: 1 } });
    const error = await rejection(provider().send({ to: "+8613812345678", body: departure, reference: "x" }));
    expect(error).toBeInstanceOf(SmsRateLimitedError);
    expect((error as SmsRateLimitedError).retryAfterMs).toBe(750);
  });

  it("is rate limited once the double's configured rate is exceeded", async () => {
    double.configure({ ratePerSecond: 2 });
    const p = provider();
    const outcomes = await Promise.allSettled(
      [1, 2, 3, 4].map((i) => p.send({ to: "+8613812345678", body: `m${i}`, reference: `r${i}` })),
    );
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(2);
    for (const o of outcomes.filter((o) => o.status === "rejected")) {
      expect((o as PromiseRejectedResult).reason).toBeInstanceOf(SmsRateLimitedError);
    }
  });

  it("treats a 500 as transient, possibly sent", async () => {
    double.configure({ failureRates: { serverError: 1 } });
    const error = await rejection(provider().send({ to: "+8613812345678", body: departure, reference: "x" }));
    expect(error).toBeInstanceOf(SmsTransientError);
    expect((error as SmsTransientError).mayHaveBeenSent).toBe(true);
    expect(double.accepted()).toHaveLength(0);
  });

  it("treats a refused connection as transient and certainly not sent", async () => {
    const closedPort = await freePort();
    const offline = provider({ httpClient: createLocalHttpClient(`http://127.0.0.1:${closedPort}`) });
    const error = await rejection(offline.send({ to: "+8613812345678", body: departure, reference: "x" }));
    expect(error).toBeInstanceOf(SmsTransientError);
    expect((error as SmsTransientError).mayHaveBeenSent).toBe(false);
  });

  it("rejects wrong credentials (Basic auth) as a configuration error, not the message's fault", async () => {
    for (const credentials of [{ authToken: "wrong" }, { apiKeySid, apiKeySecret: "wrong" }]) {
      const error = await rejection(provider({ credentials }).send({ to: "+8613812345678", body: departure, reference: "x" }));
      expect(error).toBeInstanceOf(SmsConfigurationError);
      expect((error as SmsConfigurationError).providerCode).toBe("20003");
    }
    const raw = await fetch(`${double.baseUrl}/2010-04-01/Accounts/${accountSid}/Messages.json`, {
      headers: { Authorization: `Basic ${Buffer.from(`${accountSid}:nope`).toString("base64")}` },
    });
    expect(raw.status).toBe(401);
    expect(await raw.json()).toMatchObject({ code: 20003, status: 401 });
    expect(double.accepted()).toHaveLength(0);
  });
});

describe("status callbacks", () => {
  it("arrive signed, in order, at the StatusCallback URL with our reference", async () => {
    const { providerMessageId } = await provider().send({
      to: "+8613812345678",
      body: departure,
      reference: "notif-9",
      statusCallbackUrl: `${receiver.baseUrl}/status`,
    });
    const received = await receiver.waitFor((r) => r.some((w) => w.params.MessageStatus === "delivered"));
    expect(received.map((w) => w.params.MessageStatus)).toEqual(["queued", "sent", "delivered"]);
    for (const webhook of received) {
      expect(webhook.url).toBe(`${receiver.baseUrl}/status?ref=notif-9`);
      expect(new URL(webhook.url).searchParams.get("ref")).toBe("notif-9");
      expect(verifyTwilioSignature({ authToken, publicUrl: webhook.url, params: webhook.params, signature: webhook.signature })).toBe(true);
      expect(parseStatusCallback(webhook.params)).toMatchObject({ messageSid: providerMessageId, accountSid, to: "+8613812345678" });
    }
    const delivered = received.at(-1)!;
    expect(
      verifyTwilioSignature({ authToken, publicUrl: delivered.url, params: { ...delivered.params, MessageStatus: "failed" }, signature: delivered.signature }),
    ).toBe(false);
    expect(verifyTwilioSignature({ authToken: "x".repeat(32), publicUrl: delivered.url, params: delivered.params, signature: delivered.signature })).toBe(false);
  });

  it("report undelivered and failed outcomes with their error codes", async () => {
    const p = provider();
    double.configure({ callbacks: { undeliveredRate: 1 } });
    await p.send({ to: "+8613800000001", body: "u", reference: "u", statusCallbackUrl: `${receiver.baseUrl}/status` });
    double.configure({ callbacks: { undeliveredRate: 0, failedRate: 1 } });
    await p.send({ to: "+8613800000002", body: "f", reference: "f", statusCallbackUrl: `${receiver.baseUrl}/status` });
    const received = await receiver.waitFor(
      (r) => r.some((w) => w.params.MessageStatus === "undelivered") && r.some((w) => w.params.MessageStatus === "failed"),
    );
    const finals = received.filter((w) => ["undelivered", "failed"].includes(w.params.MessageStatus!)).map((w) => parseStatusCallback(w.params));
    expect(finals.map((c) => [c.status, c.errorCode]).sort()).toEqual([
      ["failed", 30008],
      ["undelivered", 30003],
    ]);
    expect(received.filter((w) => w.params.To === "+8613800000002").map((w) => w.params.MessageStatus)).toEqual(["queued", "failed"]);
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}
