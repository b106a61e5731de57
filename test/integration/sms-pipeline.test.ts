// The SMS pipeline end to end: notification rows written by writePublishNotifications → outbox →
// sms.fan-out → sms.send jobs → the real twilio SDK → the Twilio double → signed status callbacks
// to our webhook → DELIVERED. Plus permanent and transient failures, 20429 and the diff of a
// republished allocation.
import { randomBytes } from "node:crypto";
import { Queue } from "bullmq";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createLogger } from "../../src/logger.ts";
import { piiVaultFromConfig } from "../../src/pii/vault.ts";
import { redisConnectionOptions } from "../../src/queue/producer.ts";
import { writePublishNotifications } from "../../src/services/sms/publish-notifications.ts";
import { runWorkers, type RunningWorkers } from "../../workers/run-workers.ts";
import { createCityFixture, type CityFixture } from "../helpers/app.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/database.ts";
import { createSmsWorld, publishRun, type SmsWorld } from "./sms-fixture.ts";
import { startSmsStage, waitFor, type SmsStage } from "./sms-helpers.ts";

let database: TestDatabase;
let fx: CityFixture;
let stage: SmsStage;
let workers: RunningWorkers;
const prefix = `t${randomBytes(4).toString("hex")}`;
const log = createLogger("silent");
const DAY = 86_400_000;

beforeAll(async () => {
  database = await createTestDatabase();
  fx = await createCityFixture(database.db);
  stage = await startSmsStage(database.db);
  workers = await runWorkers({
    config: stage.config,
    log,
    databaseUrl: database.url,
    redisUrl: inject("redisUrl"),
    prefix,
    queues: ["sms"],
  });
});
afterAll(async () => {
  await workers?.stop();
  await stage?.close();
  await database?.drop();
});

const pii = () => piiVaultFromConfig(stage.config);

async function world(n: number, mobiles?: string[]): Promise<SmsWorld> {
  return createSmsWorld(database.db, pii(), { cityId: fx.city.id, enterpriseId: fx.enterpriseA1.id, operatorId: fx.operator.id, travelers: n, mobiles });
}

async function publish(w: SmsWorld, opts: { baseRunId?: string; departureAt: Date; seats: Map<string, string>; pickup?: string }) {
  const run = await publishRun(database.db, w, opts);
  const result = await database.db.$transaction((tx) => writePublishNotifications(tx, { pii: pii(), config: stage.config }, run.runId));
  await workers.drainOutbox();
  return { ...run, ...result };
}

const seatsOf = (w: SmsWorld, from = 1) => new Map(w.travelers.map((t, i) => [t.id, String(from + i)]));

describe("from a published run to delivered messages", () => {
  it("sends one departure notice per traveller through the double, and the signed callbacks mark them DELIVERED", async () => {
    const w = await world(5);
    const departureAt = new Date(Date.now() + 3 * DAY);
    const { runId, created } = await publish(w, { departureAt, seats: seatsOf(w) });
    expect(created).toBe(10); // 5 departure notices + 5 day-before reminders

    const delivered = await waitFor(async () => {
      const rows = await database.db.notification.findMany({ where: { runId, kind: "DEPARTURE" } });
      return rows.every((r) => r.status === "DELIVERED") && rows;
    }, "departure notices delivered");
    expect(delivered).toHaveLength(5);
    for (const row of delivered) {
      expect(row.providerSid).toMatch(/^SM[0-9a-f]{32}$/);
      expect(row.attempts).toBe(1);
      expect(row.body).toMatch(/^【苏州市总工会】返乡：\d+月\d+日\d\d:\d\d在吴江汽车站乘苏E12345 \d+号座，联系0512-65776577。回1确认 回2取消$/);
      expect(row.toMasked).toMatch(/^139\*{4}\d{4}$/);
    }
    // Exactly one accepted message per notification, to the traveller's own number.
    const accepted = stage.double.accepted().filter((m) => delivered.some((d) => d.reference === m.reference));
    expect(accepted).toHaveLength(5);
    for (const d of delivered) {
      const message = accepted.find((m) => m.reference === d.reference)!;
      expect(message.sid).toBe(d.providerSid);
      expect(message.to).toBe(w.travelers.find((t) => t.id === d.travelerId)!.mobile);
      expect(message.body).toBe(d.body);
    }
    // The status events were recorded once per (sid, status).
    const events = await database.db.smsStatusEvent.findMany({ where: { providerSid: { in: delivered.map((d) => d.providerSid!) } } });
    expect(events.filter((e) => e.status === "delivered")).toHaveLength(5);

    // Reminders wait for 09:00 Asia/Shanghai on the day before departure.
    const reminders = await database.db.notification.findMany({ where: { runId, kind: "REMINDER" } });
    expect(reminders).toHaveLength(5);
    for (const r of reminders) {
      expect(r.status).toBe("HELD");
      expect(r.notBefore!.toISOString().slice(11, 16)).toBe("01:00");
      expect(r.notBefore!.getTime()).toBeLessThan(departureAt.getTime());
      expect(r.notBefore!.getTime()).toBeGreaterThan(departureAt.getTime() - 2 * DAY);
    }
    // They wait in the table, not as delayed send jobs: one delayed fan-out of the run is due then.
    const queue = new Queue("sms", { connection: redisConnectionOptions(inject("redisUrl"), "worker"), prefix });
    try {
      const remindAt = Math.min(...reminders.map((r) => r.notBefore!.getTime()));
      const next = await queue.getJob(`sms-fan-out-${runId}-${remindAt}`);
      expect(next?.name).toBe("sms.fan-out");
      expect(await next?.getState()).toBe("delayed");
      for (const r of reminders) expect(await queue.getJob(r.id)).toBeUndefined();
    } finally {
      await queue.close();
    }
  });

  it("marks a permanent refusal FAILED with Twilio's code at once, without retrying", async () => {
    const unsubscribed = "+8613900001111";
    stage.double.configure({ unsubscribed: [unsubscribed] });
    const w = await world(2, [unsubscribed, "+861062345678"]); // the second is a Beijing landline: 21614
    const { runId } = await publish(w, { departureAt: new Date(Date.now() + 3 * DAY), seats: seatsOf(w) });
    const rows = await waitFor(async () => {
      const r = await database.db.notification.findMany({ where: { runId, kind: "DEPARTURE" } });
      return r.every((n) => n.status === "FAILED") && r;
    }, "permanent failures");
    expect(rows.map((r) => r.errorCode).sort()).toEqual(["21610", "21614"]);
    expect(rows.every((r) => r.attempts === 1 && r.providerSid === null && r.finalAt !== null)).toBe(true);
  });

  it("retries transient failures with backoff and sends exactly once, also when Twilio accepted but answered 500", async () => {
    stage.double.configure({ failureRates: { serverError: 1 } });
    const w = await world(1);
    const { runId } = await publish(w, { departureAt: new Date(Date.now() + 3 * DAY), seats: seatsOf(w) });
    await waitFor(async () => {
      const n = await database.db.notification.findFirst({ where: { runId, kind: "DEPARTURE" } });
      return n && n.attempts >= 2;
    }, "two failed attempts");
    // Now Twilio accepts the message but answers 500: the next attempt must find it, not resend.
    stage.double.configure({ failureRates: { serverError: 0, serverErrorAfterAccept: 1 } });
    const n = await waitFor(async () => {
      const row = await database.db.notification.findFirst({ where: { runId, kind: "DEPARTURE" } });
      return row?.status === "DELIVERED" && row;
    }, "delivered after transient failures");
    stage.double.configure({ failureRates: { serverErrorAfterAccept: 0 } });
    expect(stage.double.accepted().filter((m) => m.reference === n.reference)).toHaveLength(1);
    expect(n.attempts).toBeGreaterThanOrEqual(3);
  });

  it("pauses the queue on 20429 and sends everything exactly once", async () => {
    stage.double.configure({ ratePerSecond: 3 });
    const w = await world(12);
    const { runId } = await publish(w, { departureAt: new Date(Date.now() + 3 * DAY), seats: seatsOf(w) });
    const rows = await waitFor(async () => {
      const r = await database.db.notification.findMany({ where: { runId, kind: "DEPARTURE" } });
      return r.every((x) => x.status === "DELIVERED") && r;
    }, "all delivered under throttling", 45_000);
    stage.double.configure({ ratePerSecond: null });
    const refs = new Set(rows.map((r) => r.reference));
    const accepted = stage.double.accepted().filter((m) => m.reference && refs.has(m.reference));
    expect(accepted).toHaveLength(12);
    // Some sends were refused with 20429 and tried again (attempts count every try).
    expect(rows.reduce((sum, r) => sum + r.attempts, 0)).toBeGreaterThan(12);
  });
});

describe("a republished allocation notifies only the travellers the diff touched", () => {
  it("writes CHANGE, CANCELLATION and DEPARTURE per the diff and voids the stale reminders", async () => {
    const w = await world(4);
    const [a, b, c, d] = w.travelers as [SmsWorld["travelers"][0], SmsWorld["travelers"][0], SmsWorld["travelers"][0], SmsWorld["travelers"][0]];
    const departureAt = new Date(Date.now() + 3 * DAY);
    const first = await publish(w, { departureAt, seats: new Map([[a.id, "1"], [b.id, "2"], [c.id, "3"]]) });
    const second = await publish(w, { baseRunId: first.runId, departureAt, seats: new Map([[a.id, "1"], [b.id, "7"], [d.id, "4"]]) });
    const rows = await database.db.notification.findMany({ where: { runId: second.runId }, orderBy: { kind: "asc" } });
    const kinds = rows.map((r) => `${r.kind}:${w.travelers.findIndex((t) => t.id === r.travelerId)}`).sort();
    expect(kinds).toEqual(["CANCELLATION:2", "CHANGE:1", "DEPARTURE:3", "REMINDER:1", "REMINDER:3"]);
    expect(rows.find((r) => r.kind === "CHANGE")!.body).toContain("变更");
    expect(rows.find((r) => r.kind === "CHANGE")!.body).toContain("7号座");
    expect(rows.find((r) => r.kind === "CANCELLATION")!.body).toMatch(/返乡乘车安排已取消。如需帮助请拨打12351。$/);
    const oldReminders = await database.db.notification.findMany({ where: { runId: first.runId, kind: "REMINDER" } });
    const byTraveler = new Map(oldReminders.map((r) => [r.travelerId, r.status]));
    expect(byTraveler.get(a.id)).toBe("HELD"); // unchanged: its reminder stands
    expect(byTraveler.get(b.id)).toBe("SUPPRESSED");
    expect(byTraveler.get(c.id)).toBe("SUPPRESSED");
    // Publishing the same run again writes nothing twice (dedupe key).
    const again = await database.db.$transaction((tx) => writePublishNotifications(tx, { pii: pii(), config: stage.config }, second.runId));
    expect(again.created).toBe(0);
  });
});
