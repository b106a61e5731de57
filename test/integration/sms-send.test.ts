// The send service's exactly-once decisions, driven directly (no queue): the crash window between
// Twilio's acceptance and our write, quiet hours, opt-outs and cancelled seats at send time.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/logger.ts";
import { piiVaultFromConfig } from "../../src/pii/vault.ts";
import { createSmsProvider } from "../../src/services/sms/providers.ts";
import { writePublishNotifications } from "../../src/services/sms/publish-notifications.ts";
import { sendNotification } from "../../src/services/sms/send.ts";
import { inQuietHours, parseQuietHours, quietHoursRelease, reminderTime } from "../../src/services/sms/timing.ts";
import { createCityFixture, testConfig, type CityFixture } from "../helpers/app.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/database.ts";
import { createSmsWorld, publishRun, type SmsWorld } from "./sms-fixture.ts";
import { startSmsStage, type SmsStage } from "./sms-helpers.ts";

let database: TestDatabase;
let fx: CityFixture;
let stage: SmsStage;
const log = createLogger("silent");
const DAY = 86_400_000;

beforeAll(async () => {
  database = await createTestDatabase();
  fx = await createCityFixture(database.db);
  stage = await startSmsStage(database.db);
});
afterAll(async () => {
  await stage?.close();
  await database?.drop();
});

const pii = () => piiVaultFromConfig(stage.config);
const deps = (config = stage.config) => ({ db: database.db, log, pii: pii(), config, provider: createSmsProvider(config, { db: database.db, pii: pii() }) });

async function published(n: number, opts: { departureAt?: Date; config?: typeof stage.config } = {}) {
  const w: SmsWorld = await createSmsWorld(database.db, pii(), { cityId: fx.city.id, enterpriseId: fx.enterpriseA1.id, operatorId: fx.operator.id, travelers: n });
  const run = await publishRun(database.db, w, { departureAt: opts.departureAt ?? new Date(Date.now() + 3 * DAY), seats: new Map(w.travelers.map((t, i) => [t.id, String(i + 1)])) });
  await database.db.$transaction(async (tx) => {
    await writePublishNotifications(tx, { pii: pii(), config: opts.config ?? stage.config }, run.runId);
    // No worker here: the tests drive the send service themselves.
    await tx.outboxMessage.deleteMany({});
  });
  const rows = await database.db.notification.findMany({ where: { runId: run.runId }, orderBy: { kind: "asc" } });
  return { w, runId: run.runId, rows };
}

describe("the crash window: SENDING without a SID", () => {
  it("finds a message that reached Twilio by our reference and does not send it again", async () => {
    const { rows, w } = await published(1);
    const n = rows.find((r) => r.kind === "DEPARTURE")!;
    // The earlier attempt: claimed, sent to Twilio, then the process died before writing the SID.
    const startedAt = new Date(Date.now() - 2_000);
    await database.db.notification.update({ where: { id: n.id }, data: { status: "SENDING", attempts: 1, sendingAt: startedAt } });
    // No status callback for this one: nothing may fill the SID in before the retry looks (as
    // when the callbacks are late); the lookup matches by recipient, time window and exact body.
    const mobile = w.travelers[0]!.mobile;
    const sent = await deps().provider.send({ to: mobile, body: n.body, reference: n.reference });
    const before = stage.double.accepted().length;

    const result = await sendNotification(deps(), n.id);
    expect(result).toMatchObject({ outcome: "found", sid: sent.providerMessageId });
    expect(stage.double.accepted().length).toBe(before);
    expect(stage.double.accepted().filter((m) => m.to === mobile)).toHaveLength(1);
    const after = await database.db.notification.findUniqueOrThrow({ where: { id: n.id } });
    expect(after.providerSid).toBe(sent.providerMessageId);
    expect(["ACCEPTED", "SENT", "DELIVERED"]).toContain(after.status);
  });

  it("sends a message that never reached Twilio, once", async () => {
    const { rows } = await published(1);
    const n = rows.find((r) => r.kind === "DEPARTURE")!;
    await database.db.notification.update({ where: { id: n.id }, data: { status: "SENDING", attempts: 1, sendingAt: new Date(Date.now() - 2_000) } });
    const result = await sendNotification(deps(), n.id);
    expect(result.outcome).toBe("sent");
    expect(stage.double.accepted().filter((m) => m.reference === n.reference)).toHaveLength(1);
    // And a redelivered job afterwards changes nothing.
    expect((await sendNotification(deps(), n.id)).outcome).toBe("done");
    expect(stage.double.accepted().filter((m) => m.reference === n.reference)).toHaveLength(1);
    expect((await database.db.notification.findUniqueOrThrow({ where: { id: n.id } })).attempts).toBe(2);
  });

  it("waits while the earlier attempt may still be running, and until the provider's listing has settled", async () => {
    const { rows } = await published(1);
    const n = rows.find((r) => r.kind === "DEPARTURE")!;
    await database.db.notification.update({ where: { id: n.id }, data: { status: "SENDING", attempts: 1, sendingAt: new Date() } });
    const running = await sendNotification(deps(), n.id);
    expect(running).toMatchObject({ outcome: "wait", reason: "earlier attempt may still be running" });
    const settling = testConfig({ ...configEnv(), SMS_LOOKUP_SETTLE_MS: "600000" });
    await database.db.notification.update({ where: { id: n.id }, data: { sendingAt: new Date(Date.now() - 2_000) } });
    const unsettled = await sendNotification(deps(settling), n.id);
    expect(unsettled).toMatchObject({ outcome: "wait", reason: "provider listing not settled" });
    expect(stage.double.accepted().filter((m) => m.reference === n.reference)).toHaveLength(0);
  });
});

function configEnv(): Record<string, string> {
  const c = stage.config;
  return {
    TWILIO_ACCOUNT_SID: c.TWILIO_ACCOUNT_SID!,
    TWILIO_AUTH_TOKEN: c.TWILIO_AUTH_TOKEN!,
    TWILIO_MESSAGING_SERVICE_SID: c.TWILIO_MESSAGING_SERVICE_SID!,
    TWILIO_API_BASE_URL: c.TWILIO_API_BASE_URL!,
    PUBLIC_BASE_URL: c.PUBLIC_BASE_URL!,
    SMS_SEND_TIMEOUT_MS: "500",
  };
}

describe("quiet hours", () => {
  const quiet = parseQuietHours("22:00-08:00");
  it("knows the Asia/Shanghai window and its end", () => {
    expect(inQuietHours(new Date("2027-01-20T14:30:00Z"), quiet)).toBe(true); // 22:30 local
    expect(inQuietHours(new Date("2027-01-20T23:59:00Z"), quiet)).toBe(true); // 07:59 local
    expect(inQuietHours(new Date("2027-01-21T00:00:00Z"), quiet)).toBe(false); // 08:00 local
    expect(quietHoursRelease(new Date("2027-01-20T14:30:00Z"), quiet).toISOString()).toBe("2027-01-21T00:00:00.000Z");
    expect(reminderTime(new Date("2027-01-28T00:30:00Z")).toISOString()).toBe("2027-01-27T01:00:00.000Z"); // 08:30 local → 09:00 the day before
    expect(reminderTime(new Date("2027-01-27T16:30:00Z")).toISOString()).toBe("2027-01-27T01:00:00.000Z"); // 00:30 local on the 28th
  });

  it("holds non-urgent messages until the morning and sends urgent ones (departure within 24 h) at once", async () => {
    // A quiet window around the current Shanghai time.
    const local = new Date(Date.now() + 8 * 3_600_000);
    const hh = (h: number) => String((local.getUTCHours() + h + 24) % 24).padStart(2, "0");
    const config = testConfig({ ...configEnv(), SMS_QUIET_HOURS: `${hh(-1)}:00-${hh(2)}:00` });
    const later = await published(1, { config });
    const held = later.rows.find((r) => r.kind === "DEPARTURE")!;
    expect(held.status).toBe("HELD");
    expect(held.urgent).toBe(false);
    expect(held.notBefore!.getTime()).toBeGreaterThan(Date.now());
    expect(inQuietHours(held.notBefore!, parseQuietHours(config.SMS_QUIET_HOURS))).toBe(false);
    const result = await sendNotification(deps(config), held.id);
    expect(result).toMatchObject({ outcome: "wait", reason: "held" });
    expect(stage.double.accepted().filter((m) => m.reference === held.reference)).toHaveLength(0);

    const soon = await published(1, { config, departureAt: new Date(Date.now() + 10 * 3_600_000) });
    const urgent = soon.rows.find((r) => r.kind === "DEPARTURE")!;
    expect(urgent).toMatchObject({ status: "PENDING", urgent: true, notBefore: null });
    expect(soon.rows.some((r) => r.kind === "REMINDER")).toBe(false); // the day before has passed
    expect((await sendNotification(deps(config), urgent.id)).outcome).toBe("sent");
  });
});

describe("opt-outs and cancelled seats at send time", () => {
  it("suppresses non-essential messages to opted-out numbers when written and when sent", async () => {
    const w = await createSmsWorld(database.db, pii(), { cityId: fx.city.id, enterpriseId: fx.enterpriseA1.id, operatorId: fx.operator.id, travelers: 2 });
    await database.db.smsOptOut.create({ data: { phoneHash: pii().hash(w.travelers[0]!.mobile), source: "test" } });
    const run = await publishRun(database.db, w, { departureAt: new Date(Date.now() + 3 * DAY), seats: new Map(w.travelers.map((t, i) => [t.id, String(i + 1)])) });
    await database.db.$transaction(async (tx) => {
      await writePublishNotifications(tx, { pii: pii(), config: stage.config }, run.runId);
      await tx.outboxMessage.deleteMany({});
    });
    const rows = await database.db.notification.findMany({ where: { runId: run.runId } });
    const of = (i: number, kind: string) => rows.find((r) => r.travelerId === w.travelers[i]!.id && r.kind === kind)!;
    expect(of(0, "REMINDER").status).toBe("SUPPRESSED");
    expect(of(0, "DEPARTURE").status).toBe("PENDING"); // essential: sent anyway
    expect(of(1, "REMINDER").status).toBe("HELD");

    // The second worker opts out after the reminder was scheduled: it is suppressed when due.
    await database.db.smsOptOut.create({ data: { phoneHash: pii().hash(w.travelers[1]!.mobile), source: "test" } });
    await database.db.notification.update({ where: { id: of(1, "REMINDER").id }, data: { notBefore: new Date(Date.now() - 1_000) } });
    expect(await sendNotification(deps(), of(1, "REMINDER").id)).toMatchObject({ outcome: "suppressed", reason: "opted out" });
  });

  it("does not remind a traveller whose seat was cancelled", async () => {
    const { rows, runId, w } = await published(1);
    const reminder = rows.find((r) => r.kind === "REMINDER")!;
    await database.db.assignment.updateMany({ where: { runId, travelerId: w.travelers[0]!.id }, data: { status: "CANCELLED" } });
    await database.db.notification.update({ where: { id: reminder.id }, data: { notBefore: null, status: "PENDING" } });
    expect(await sendNotification(deps(), reminder.id)).toMatchObject({ outcome: "suppressed" });
  });
});

describe("wages recovered", () => {
  it("writes one WAGES_RECOVERED notice per paid worker with a mobile, once, and enqueues them", async () => {
    const { notifyWagesRecovered } = await import("../../src/services/sms/fan-out.ts");
    const w = await createSmsWorld(database.db, pii(), { cityId: fx.city.id, enterpriseId: fx.enterpriseA1.id, operatorId: fx.operator.id, travelers: 0 });
    const wageCase = await database.db.wageCase.create({
      data: {
        caseNo: `QX2027-${Math.floor(Math.random() * 1e6)}`, campaignId: w.campaignId, orgId: fx.enterpriseA1.id, reportingOrgId: fx.enterpriseA1.id, source: "HOTLINE_12351",
        employerName: "某建筑劳务公司", workersAffected: 3, migrantWorkersAffected: 3, amountOwedFen: 3_000_000n, registeredOn: new Date("2027-01-05"),
      },
    });
    const mobiles = ["+8613611110001", "+8613611110002"];
    const payment = await database.db.wagePayment.create({ data: { caseId: wageCase.id, amountFen: 2_000_000n, paidOn: new Date("2027-01-20"), workersPaid: 2, migrantWorkersPaid: 2, method: "BANK_TRANSFER" } });
    const worker = (i: number, mobile: string | null, paid: boolean, owed: bigint | null) =>
      database.db.wageCaseWorker.create({
        data: {
          caseId: wageCase.id, name: `工人${i}`, idSealed: pii().seal(`34012219850101000${i}`), idHash: pii().hash(`34012219850101000${i}`), idMasked: "340122********000" + i,
          mobileSealed: mobile ? pii().seal(mobile) : null, mobileHash: mobile ? pii().hash(mobile) : null, mobileMasked: mobile ? "136****000" + i : null,
          paidAt: paid ? new Date() : null, paymentId: paid ? payment.id : null, amountOwedFen: owed,
        },
      });
    await worker(1, mobiles[0]!, true, 1_250_050n);
    await worker(2, mobiles[1]!, true, null);
    await worker(3, null, true, 500_000n); // no mobile: nothing to send
    await worker(4, "+8613611110004", false, 500_000n); // not paid by this payment
    await database.db.smsOptOut.create({ data: { phoneHash: pii().hash(mobiles[1]!), source: "test" } });

    const queued: string[][] = [];
    const enqueue = async (jobs: { notificationId: string }[]) => void queued.push(jobs.map((j) => j.notificationId));
    const first = await notifyWagesRecovered({ ...deps() }, { caseId: wageCase.id, paymentId: payment.id }, enqueue);
    expect(first.created).toBe(2);
    const rows = await database.db.notification.findMany({ where: { wageCaseId: wageCase.id }, orderBy: { body: "asc" } });
    expect(rows.map((r) => r.status).sort()).toEqual(["PENDING", "SUPPRESSED"]);
    const active = rows.find((r) => r.status === "PENDING")!;
    expect(active.body).toBe("【苏州市总工会】您被拖欠的工资12500.50元已追回，请留意单位发放。咨询12351，回T退订");
    expect(active.essential).toBe(false);
    expect(queued.flat()).toEqual([active.id]);
    // A retried job creates nothing twice.
    expect((await notifyWagesRecovered({ ...deps() }, { caseId: wageCase.id, paymentId: payment.id }, enqueue)).created).toBe(0);
    expect(await database.db.notification.count({ where: { wageCaseId: wageCase.id } })).toBe(2);
    expect((await sendNotification(deps(), active.id)).outcome).toBe("sent");
    expect(stage.double.accepted().filter((m) => m.reference === active.reference && m.to === mobiles[0])).toHaveLength(1);
  });
});

describe("the sweep for notifications that lost their job", () => {
  it("finds due notifications left untouched and SENDING rows whose attempt long ended, not the rest", async () => {
    const { findStuckNotifications } = await import("../../src/services/sms/fan-out.ts");
    const { rows } = await published(3);
    const [a, b, c] = rows.filter((r) => r.kind === "DEPARTURE") as [typeof rows[0], typeof rows[0], typeof rows[0]];
    const reminder = rows.find((r) => r.kind === "REMINDER")!;
    await database.db.$executeRaw`UPDATE notifications SET updated_at = now() - interval '10 minutes' WHERE id = ${a.id}::uuid`;
    await database.db.$executeRaw`UPDATE notifications SET status = 'SENDING', sending_at = now() - interval '10 minutes', updated_at = now() - interval '10 minutes' WHERE id = ${b.id}::uuid`;
    await database.db.$executeRaw`UPDATE notifications SET updated_at = now() - interval '10 minutes' WHERE id = ${reminder.id}::uuid`; // held until the day before: not due
    const stuck = await findStuckNotifications({ db: database.db, log, pii: pii(), config: stage.config }, { staleMs: 60_000 });
    expect(stuck).toContain(a.id);
    expect(stuck).toContain(b.id);
    expect(stuck).not.toContain(c.id); // fresh
    expect(stuck).not.toContain(reminder.id);
  });
});
