// The SMS API: template preview (segments, refusal above the maximum), the per campaign /
// enterprise / vehicle summary and a worker's history, each limited to the caller's subtree.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { piiVaultFromConfig } from "../../src/pii/vault.ts";
import { writePublishNotifications } from "../../src/services/sms/publish-notifications.ts";
import { buildTestApp, call, createCityFixture, testConfig, type CityFixture, type TestApp } from "../helpers/app.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/database.ts";
import { createSmsWorld, publishRun, type SmsWorld } from "./sms-fixture.ts";

let database: TestDatabase;
let fx: CityFixture;
let app: TestApp;
let a1: SmsWorld;
let campaignId: string;
const config = testConfig({ SMS_QUIET_HOURS: "00:00-00:00" });
const pii = piiVaultFromConfig(config);
const DAY = 86_400_000;

beforeAll(async () => {
  database = await createTestDatabase();
  fx = await createCityFixture(database.db);
  app = buildTestApp(database.db, {}, config);
  a1 = await createSmsWorld(database.db, pii, { cityId: fx.city.id, enterpriseId: fx.enterpriseA1.id, operatorId: fx.operator.id, travelers: 3, mobiles: ["+8613912345678", "+8613900000002", "+8613900000003"] });
  campaignId = a1.campaignId;
  // Two workers of enterprise B1 on the same campaign.
  const b1List = await database.db.ticketList.create({ data: { campaignId, orgId: fx.enterpriseB1.id, title: "B1" } });
  const b1Travelers: string[] = [];
  for (const [i, mobile] of ["+8613700000001", "+8613700000002"].entries()) {
    const t = await database.db.traveler.create({
      data: {
        listId: b1List.id, campaignId, orgId: fx.enterpriseB1.id, rowNumber: i + 1, name: `乙${i}`,
        idSealed: pii.seal(`41150219900101000${i}`), idHash: pii.hash(`41150219900101000${i}`), idMasked: "411502********000" + i,
        mobileSealed: pii.seal(mobile), mobileHash: pii.hash(mobile), mobileMasked: "137****000" + (i + 1),
        gender: "F", birthDate: new Date("1990-01-01"), destinationCode: "411500", earliestDate: new Date("2027-01-25"), latestDate: new Date("2027-01-30"),
      },
    });
    b1Travelers.push(t.id);
  }
  const seats = new Map([...a1.travelers.map((t) => t.id), ...b1Travelers].map((id, i) => [id, String(i + 1)]));
  const run = await publishRun(database.db, a1, { departureAt: new Date(Date.now() + 3 * DAY), seats });
  await database.db.$transaction((tx) => writePublishNotifications(tx, { pii, config }, run.runId));
  // Outcomes as the pipeline would have left them.
  const departures = await database.db.notification.findMany({ where: { runId: run.runId, kind: "DEPARTURE" }, orderBy: { createdAt: "asc" } });
  const first = departures.find((n) => n.travelerId === a1.travelers[0]!.id)!;
  const second = departures.find((n) => n.travelerId === a1.travelers[1]!.id)!;
  const b1 = departures.find((n) => n.travelerId === b1Travelers[0])!;
  await database.db.notification.update({ where: { id: first.id }, data: { status: "DELIVERED", providerSid: `SM${"1".repeat(32)}` } });
  await database.db.notification.update({ where: { id: second.id }, data: { status: "FAILED", errorCode: "21610", errorMessage: "Attempt to send to an unsubscribed recipient" } });
  await database.db.notification.update({ where: { id: b1.id }, data: { status: "DELIVERED", providerSid: `SM${"2".repeat(32)}` } });
  await database.db.smsInbound.create({ data: { messageSid: `SM${"3".repeat(32)}`, fromHash: pii.hash("+8613912345678"), fromMasked: "139****5678", travelerId: a1.travelers[0]!.id, orgId: fx.enterpriseA1.id, body: "1", intent: "CONFIRM" } });
});
afterAll(async () => database?.drop());

describe("POST /v1/sms/preview", () => {
  const vars = { date: "2027-01-28", time: "07:30", pickupPoint: "吴江汽车站", vehicle: { kind: "BUS", plate: "苏E12345", seat: "12" }, contactPhone: "0512-65776577" };
  it("renders the departure notice in one UCS-2 segment", async () => {
    const res = await call(app, "POST", "/v1/sms/preview", { key: fx.keys.enterpriseA1.READ_ONLY, body: { kind: "DEPARTURE_NOTICE", variables: vars } });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ kind: "DEPARTURE_NOTICE", essential: true, segments: { encoding: "UCS-2", segments: 1 }, maxSegments: 2 });
    expect(res.json.text).toBe("【苏州市总工会】返乡：1月28日07:30在吴江汽车站乘苏E12345 12号座，联系0512-65776577。回1确认 回2取消");
  });
  it("refuses a message over SMS_MAX_SEGMENTS and names missing variables", async () => {
    const strict = buildTestApp(database.db, {}, testConfig({ SMS_MAX_SEGMENTS: "1" }));
    const long = { ...vars, pickupPoint: "苏州市吴江区汽车客运站北广场二号门" };
    const res = await call(strict, "POST", "/v1/sms/preview", { key: fx.keys.city.READ_ONLY, body: { kind: "DEPARTURE_NOTICE", variables: long } });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ code: "SMS_TOO_LONG", segments: 2, maxSegments: 1 });
    const missing = await call(app, "POST", "/v1/sms/preview", { key: fx.keys.city.READ_ONLY, body: { kind: "DEPARTURE_NOTICE", variables: { ...vars, time: undefined } } });
    expect(missing.status).toBe(400);
    expect(missing.json.code).toBe("SMS_VARIABLE_MISSING");
    const unknown = await call(app, "POST", "/v1/sms/preview", { key: fx.keys.city.READ_ONLY, body: { kind: "SPAM", variables: {} } });
    expect(unknown.status).toBe(400);
    expect(unknown.json.code).toBe("VALIDATION_FAILED");
  });
});

describe("GET /v1/campaigns/{id}/sms-summary", () => {
  it("gives the city the whole campaign: counts by status, failures with reasons, segments and cost", async () => {
    const res = await call(app, "GET", `/v1/campaigns/${campaignId}/sms-summary`, { key: fx.keys.city.READ_ONLY });
    expect(res.status).toBe(200);
    const s = res.json;
    expect(s.totals.total).toBe(10); // 5 departures + 5 reminders
    expect(s.totals.byStatus).toEqual({ DELIVERED: 2, FAILED: 1, PENDING: 2, HELD: 5 });
    expect(s.totals.segmentsSent).toBe(2);
    expect(s.totals.estimatedCostFen).toBe(2 * config.SMS_SEGMENT_PRICE_FEN);
    expect(s.failures).toEqual([{ status: "FAILED", errorCode: "21610", reason: "Attempt to send to an unsubscribed recipient", count: 1 }]);
    expect(s.enterprises.map((e: { orgId: string }) => e.orgId).sort()).toEqual([fx.enterpriseA1.id, fx.enterpriseB1.id].sort());
    expect(s.vehicles).toHaveLength(1);
    expect(s.vehicles[0].label).toMatch(/^苏E12345 \d\d-\d\d \d\d:\d\d$/);
    expect(s.vehicles[0].total).toBe(10);
  });
  it("limits a district to its subtree and an enterprise to itself", async () => {
    const district = (await call(app, "GET", `/v1/campaigns/${campaignId}/sms-summary`, { key: fx.keys.districtA.READ_ONLY })).json;
    expect(district.enterprises.map((e: { orgId: string }) => e.orgId)).toEqual([fx.enterpriseA1.id]);
    expect(district.totals.total).toBe(6);
    const other = (await call(app, "GET", `/v1/campaigns/${campaignId}/sms-summary`, { key: fx.keys.enterpriseB1.READ_ONLY })).json;
    expect(other.enterprises.map((e: { orgId: string }) => e.orgId)).toEqual([fx.enterpriseB1.id]);
    expect(other.failures).toEqual([]);
    expect((await call(app, "GET", `/v1/campaigns/${fx.city.id}/sms-summary`, { key: fx.keys.city.READ_ONLY })).status).toBe(404);
  });
});

describe("POST /v1/campaigns/{id}/sms-messages/search", () => {
  it("shows hotline staff a worker's history with the number masked, and audits the lookup", async () => {
    const res = await call(app, "POST", `/v1/campaigns/${campaignId}/sms-messages/search`, { key: fx.keys.city.STAFF, body: { mobile: "139 1234 5678" } });
    expect(res.status).toBe(200);
    expect(res.json.mobileMasked).toBe("139****5678");
    expect(res.json.items.map((i: { direction: string; kind: string }) => `${i.direction}:${i.kind}`).sort()).toEqual(["inbound:CONFIRM", "outbound:DEPARTURE", "outbound:REMINDER"]);
    expect(JSON.stringify(res.json)).not.toContain("13912345678");
    const audit = await database.db.auditEntry.findFirstOrThrow({ where: { action: "sms.worker_messages_viewed" } });
    expect(audit.details).toMatchObject({ mobile: "139****5678", messages: 3 });
    expect(JSON.stringify(audit.details)).not.toContain("13912345678");
  });
  it("finds nothing outside the caller's subtree and refuses a malformed number", async () => {
    const res = await call(app, "POST", `/v1/campaigns/${campaignId}/sms-messages/search`, { key: fx.keys.districtB.STAFF, body: { mobile: "13912345678" } });
    expect(res.status).toBe(200);
    expect(res.json.items).toEqual([]);
    const bad = await call(app, "POST", `/v1/campaigns/${campaignId}/sms-messages/search`, { key: fx.keys.city.STAFF, body: { mobile: "12345" } });
    expect(bad.status).toBe(400);
    expect(bad.json.errors[0]).toMatchObject({ path: "mobile", code: "MOBILE_FORMAT" });
  });
});
