// Twilio's webhooks against our app over HTTP: signatures (403 when wrong), status callbacks
// (idempotent, never backwards, error codes, SID learnt from ?ref=) and workers' replies (confirm,
// cancel, opt out, help, unknown numbers), posted and signed by the Twilio double.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { piiVaultFromConfig } from "../../src/pii/vault.ts";
import { writePublishNotifications } from "../../src/services/sms/publish-notifications.ts";
import { createWebhookPoster, type WebhookPoster } from "../twilio-double/signed-webhook.ts";
import { createCityFixture, type CityFixture } from "../helpers/app.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/database.ts";
import { createSmsWorld, publishRun, type SmsWorld } from "./sms-fixture.ts";
import { startSmsStage, type SmsStage } from "./sms-helpers.ts";

let database: TestDatabase;
let fx: CityFixture;
let stage: SmsStage;
let poster: WebhookPoster;
let w: SmsWorld;
let runId: string;
const DAY = 86_400_000;

beforeAll(async () => {
  database = await createTestDatabase();
  fx = await createCityFixture(database.db);
  stage = await startSmsStage(database.db);
  poster = createWebhookPoster({ authToken: stage.double.authToken });
  const pii = piiVaultFromConfig(stage.config);
  w = await createSmsWorld(database.db, pii, { cityId: fx.city.id, enterpriseId: fx.enterpriseA1.id, operatorId: fx.operator.id, travelers: 6 });
  const run = await publishRun(database.db, w, { departureAt: new Date(Date.now() + 3 * DAY), seats: new Map(w.travelers.map((t, i) => [t.id, String(i + 1)])) });
  runId = run.runId;
  await database.db.$transaction((tx) => writePublishNotifications(tx, { pii, config: stage.config }, runId));
});
afterAll(async () => {
  poster?.close();
  await stage?.close();
  await database?.drop();
});

const sid = (n: number) => `SM${n.toString(16).padStart(32, "0")}`;
const statusUrl = (ref?: string) => `${stage.baseUrl}/webhooks/twilio/status${ref ? `?ref=${ref}` : ""}`;

async function departureOf(index: number) {
  return database.db.notification.findFirstOrThrow({ where: { runId, kind: "DEPARTURE", travelerId: w.travelers[index]!.id } });
}

async function giveSid(index: number, n: number) {
  const row = await departureOf(index);
  await database.db.notification.update({ where: { id: row.id }, data: { providerSid: sid(n), status: "ACCEPTED", acceptedAt: new Date() } });
  return row;
}

function statusParams(n: number, status: string, to: string, errorCode?: string): Record<string, string> {
  return { AccountSid: stage.double.accountSid, MessageSid: sid(n), SmsSid: sid(n), MessageStatus: status, SmsStatus: status, To: to, ...(errorCode && { ErrorCode: errorCode }) };
}

describe("POST /webhooks/twilio/status", () => {
  it("answers 403 to a wrong or missing signature and records nothing", async () => {
    const row = await giveSid(0, 1);
    const body = new URLSearchParams(statusParams(1, "delivered", w.travelers[0]!.mobile)).toString();
    for (const headers of [{}, { "X-Twilio-Signature": "bm90IHRoZSBzaWduYXR1cmU=" }] as Record<string, string>[]) {
      const res = await fetch(statusUrl(), { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers }, body });
      expect(res.status).toBe(403);
      const problem = await res.json();
      expect(problem.code).toBe("TWILIO_SIGNATURE_INVALID");
    }
    // Signed for another URL (a replay against a different endpoint) is refused too.
    const other = await poster.post(`${stage.baseUrl}/webhooks/twilio/status?ref=other`, statusParams(1, "delivered", w.travelers[0]!.mobile));
    expect(other.status).toBe(200); // signed for the URL it was posted to: fine
    expect(await database.db.smsStatusEvent.count({ where: { providerSid: sid(1) } })).toBe(1);
    expect((await database.db.notification.findUniqueOrThrow({ where: { id: row.id } })).status).toBe("DELIVERED");
  });

  it("refuses a signed body whose parameters were altered", async () => {
    await giveSid(1, 2);
    const params = statusParams(2, "delivered", w.travelers[1]!.mobile);
    // Sign the genuine parameters, then send altered ones with that signature.
    const { computeTwilioSignature } = await import("../../src/sms/twilio-webhook.ts");
    const signature = computeTwilioSignature(stage.double.authToken, statusUrl(), params);
    const res = await fetch(statusUrl(), {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature },
      body: new URLSearchParams({ ...params, MessageStatus: "failed" }).toString(),
    });
    expect(res.status).toBe(403);
    const genuine = await fetch(statusUrl(), {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature },
      body: new URLSearchParams(params).toString(),
    });
    expect(genuine.status).toBe(200);
  });

  it("is idempotent per (MessageSid, MessageStatus) and never goes backwards", async () => {
    const row = await giveSid(2, 3);
    const to = w.travelers[2]!.mobile;
    expect(JSON.parse((await poster.post(statusUrl(), statusParams(3, "sent", to))).body).outcome).toBe("applied");
    expect(JSON.parse((await poster.post(statusUrl(), statusParams(3, "delivered", to))).body).outcome).toBe("applied");
    expect(JSON.parse((await poster.post(statusUrl(), statusParams(3, "delivered", to))).body).outcome).toBe("duplicate");
    // A late "sent" after "delivered" is recorded as an event but does not move the status back.
    expect(JSON.parse((await poster.post(statusUrl(), statusParams(3, "queued", to))).body).outcome).toBe("stale");
    const after = await database.db.notification.findUniqueOrThrow({ where: { id: row.id } });
    expect(after.status).toBe("DELIVERED");
    expect(after.finalAt).not.toBeNull();
    expect(await database.db.smsStatusEvent.count({ where: { providerSid: sid(3) } })).toBe(3);
  });

  it("stores the error code of an undelivered message", async () => {
    const row = await giveSid(3, 4);
    await poster.post(statusUrl(), statusParams(4, "undelivered", w.travelers[3]!.mobile, "30003"));
    const after = await database.db.notification.findUniqueOrThrow({ where: { id: row.id } });
    expect(after.status).toBe("UNDELIVERED");
    expect(after.errorCode).toBe("30003");
  });

  it("learns the SID from ?ref= when the sender's own write was lost", async () => {
    const row = await departureOf(4);
    await database.db.notification.update({ where: { id: row.id }, data: { status: "SENDING", sendingAt: new Date() } });
    await poster.post(statusUrl(row.reference), statusParams(5, "sent", w.travelers[4]!.mobile));
    const after = await database.db.notification.findUniqueOrThrow({ where: { id: row.id } });
    expect(after.providerSid).toBe(sid(5));
    expect(after.status).toBe("SENT");
  });

  it("answers 400 with a problem document to a signed but malformed callback", async () => {
    const answer = await poster.post(statusUrl(), { MessageSid: "nope", MessageStatus: "delivered" });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body).code).toBe("SMS_WEBHOOK_INVALID");
  });
});

describe("POST /webhooks/twilio/inbound (through the double)", () => {
  async function reply(from: string, body: string) {
    const res = await fetch(`${stage.double.baseUrl}/__double/inbound`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ url: `${stage.baseUrl}/webhooks/twilio/inbound`, from, to: "+8610690012351", body }),
    });
    const answer = (await res.json()) as { messageSid: string; status: number; contentType: string; body: string };
    expect(answer.status).toBe(200);
    expect(answer.contentType).toMatch(/^text\/xml/);
    return answer;
  }
  const seatOf = (i: number) => database.db.assignment.findFirstOrThrow({ where: { runId, travelerId: w.travelers[i]!.id } });

  it("1 / 确认 confirms the seat", async () => {
    const answer = await reply(w.travelers[0]!.mobile, "１");
    expect(answer.body).toContain("已确认");
    expect((await seatOf(0)).confirmedAt).not.toBeNull();
    const inbound = await database.db.smsInbound.findUniqueOrThrow({ where: { messageSid: answer.messageSid } });
    expect(inbound.intent).toBe("CONFIRM");
    expect(inbound.fromMasked).toMatch(/^139\*{4}\d{4}$/);
    expect(inbound.travelerId).toBe(w.travelers[0]!.id);
  });

  it("2 / 取消 cancels the seat: seat freed, traveller cancelled, a change request the enterprise sees", async () => {
    const before = await seatOf(1);
    const vehicleBefore = await database.db.vehicle.findUniqueOrThrow({ where: { id: before.vehicleId } });
    const answer = await reply(w.travelers[1]!.mobile, "取消");
    expect(answer.body).toContain("已为您取消座位");
    const seat = await seatOf(1);
    expect(seat.status).toBe("CANCELLED");
    expect(seat.cancelledAt).not.toBeNull();
    expect((await database.db.vehicle.findUniqueOrThrow({ where: { id: seat.vehicleId } })).seatsUsed).toBe(vehicleBefore.seatsUsed - 1);
    expect((await database.db.traveler.findUniqueOrThrow({ where: { id: w.travelers[1]!.id } })).status).toBe("CANCELLED");
    const requests = await database.db.allocationChangeRequest.findMany({ where: { travelerId: w.travelers[1]!.id } });
    expect(requests).toMatchObject([{ kind: "CANCELLED", source: "sms-reply", campaignId: w.campaignId }]);
    const changes = await database.db.travelerChange.findMany({ where: { travelerId: w.travelers[1]!.id } });
    expect(changes).toMatchObject([{ action: "CANCEL" }]);
    // The day-before reminder will not go out.
    const reminder = await database.db.notification.findFirstOrThrow({ where: { runId, kind: "REMINDER", travelerId: w.travelers[1]!.id } });
    expect(reminder.status).toBe("SUPPRESSED");
    // A second 取消 changes nothing more.
    await reply(w.travelers[1]!.mobile, "2");
    expect(await database.db.allocationChangeRequest.count({ where: { travelerId: w.travelers[1]!.id } })).toBe(1);
  });

  it("TD / 退订 opts out by keyed hash: reminders suppressed, departure notices still go", async () => {
    const answer = await reply(w.travelers[5]!.mobile, "退订");
    expect(answer.body).toContain("已退订");
    const pii = piiVaultFromConfig(stage.config);
    const optOut = await database.db.smsOptOut.findUniqueOrThrow({ where: { phoneHash: pii.hash(w.travelers[5]!.mobile) } });
    expect(optOut.source).toBe("sms-reply");
    const rows = await database.db.notification.findMany({ where: { runId, travelerId: w.travelers[5]!.id } });
    expect(rows.find((r) => r.kind === "REMINDER")!.status).toBe("SUPPRESSED");
    expect(rows.find((r) => r.kind === "DEPARTURE")!.status).not.toBe("SUPPRESSED");
  });

  it("anything else gets the help text", async () => {
    const answer = await reply(w.travelers[3]!.mobile, "几点发车？");
    expect(answer.body).toContain("回1确认座位");
    const inbound = await database.db.smsInbound.findUniqueOrThrow({ where: { messageSid: answer.messageSid } });
    expect(inbound.intent).toBe("HELP");
  });

  it("an unknown number gets a polite answer and nothing is stored", async () => {
    const before = await database.db.smsInbound.count();
    const optOuts = await database.db.smsOptOut.count();
    for (const body of ["1", "取消", "TD", "你好"]) {
      const answer = await reply("+8613700009999", body);
      expect(answer.body).toContain("您好");
    }
    expect(await database.db.smsInbound.count()).toBe(before);
    expect(await database.db.smsOptOut.count()).toBe(optOuts);
  });

  it("a retried webhook (same MessageSid) changes nothing twice", async () => {
    const params = { AccountSid: stage.double.accountSid, MessageSid: sid(99), From: w.travelers[4]!.mobile, To: "+8610690012351", Body: "2" };
    const url = `${stage.baseUrl}/webhooks/twilio/inbound`;
    expect((await poster.post(url, params)).status).toBe(200);
    expect((await poster.post(url, params)).status).toBe(200);
    expect(await database.db.allocationChangeRequest.count({ where: { travelerId: w.travelers[4]!.id } })).toBe(1);
    expect(await database.db.smsInbound.count({ where: { messageSid: sid(99) } })).toBe(1);
  });

  it("answers 403 to an unsigned reply", async () => {
    const res = await fetch(`${stage.baseUrl}/webhooks/twilio/inbound`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ AccountSid: stage.double.accountSid, MessageSid: sid(100), From: w.travelers[0]!.mobile, To: "+86106900", Body: "2" }).toString(),
    });
    expect(res.status).toBe(403);
    expect((await seatOf(0)).status).toBe("ASSIGNED");
  });
});
