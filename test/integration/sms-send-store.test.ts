// The worker's send path over plain pg (src/services/sms/send-store.ts): claims and SID writes
// grouped into one statement per batch must keep the exactly-once rules of the single-row version.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createLogger } from "../../src/logger.ts";
import { piiVaultFromConfig } from "../../src/pii/vault.ts";
import { createJobProducer } from "../../src/queue/producer.ts";
import { createSmsProvider } from "../../src/services/sms/providers.ts";
import { writePublishNotifications } from "../../src/services/sms/publish-notifications.ts";
import { fanOutRun, type SendJob } from "../../src/services/sms/fan-out.ts";
import { createBatcher, createSendStore, pgRunner, type SendStore } from "../../src/services/sms/send-store.ts";
import { sendNotification } from "../../src/services/sms/send.ts";
import { smsSweep } from "../../workers/processors/sms.ts";
import { createCityFixture, type CityFixture } from "../helpers/app.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/database.ts";
import { createSmsWorld, publishRun } from "./sms-fixture.ts";
import { startSmsStage, type SmsStage } from "./sms-helpers.ts";

let database: TestDatabase;
let fx: CityFixture;
let stage: SmsStage;
let pool: pg.Pool;
let store: SendStore;
const log = createLogger("silent");
const DAY = 86_400_000;

beforeAll(async () => {
  database = await createTestDatabase();
  fx = await createCityFixture(database.db);
  // A generous send timeout: 80 sends at once on a busy machine must not time out here (a timeout
  // is a legitimate "maybe sent" outcome, covered by sms-send, but not what this test counts).
  stage = await startSmsStage(database.db, { SMS_SEND_TIMEOUT_MS: "30000" });
  pool = new pg.Pool({ connectionString: database.url, max: 4 });
  store = createSendStore(pgRunner(pool), { maxBatch: 100, maxInFlight: 2 });
});
afterAll(async () => {
  await pool?.end();
  await stage?.close();
  await database?.drop();
});

const pii = () => piiVaultFromConfig(stage.config);
let provider: ReturnType<typeof createSmsProvider> | undefined;
const deps = () => {
  provider ??= createSmsProvider(stage.config, { db: database.db, pii: pii() });
  return { db: database.db, log, pii: pii(), config: stage.config, provider, store };
};

async function departures(n: number) {
  const w = await createSmsWorld(database.db, pii(), { cityId: fx.city.id, enterpriseId: fx.enterpriseA1.id, operatorId: fx.operator.id, travelers: n });
  const run = await publishRun(database.db, w, { departureAt: new Date(Date.now() + 3 * DAY), seats: new Map(w.travelers.map((t, i) => [t.id, String(i + 1)])) });
  await database.db.$transaction(async (tx) => {
    await writePublishNotifications(tx, { pii: pii(), config: stage.config }, run.runId);
    await tx.outboxMessage.deleteMany({});
  });
  return database.db.notification.findMany({ where: { runId: run.runId }, orderBy: { id: "asc" } });
}

describe("grouped claims over pg", () => {
  it("claims each due departure notice once, even when every id is asked for twice at the same moment", async () => {
    const rows = (await departures(12)).filter((r) => r.kind === "DEPARTURE");
    const ids = rows.map((r) => r.id);
    const claims = await Promise.all([...ids, ...ids].map((id) => store.claimDue(id)));
    const won = claims.filter((c) => c !== null);
    expect(won).toHaveLength(ids.length);
    expect(new Set(won.map((c) => c!.id))).toEqual(new Set(ids));
    for (const c of won) {
      expect(c!.status).toBe("SENDING");
      expect(c!.sendingAt).toBeInstanceOf(Date);
    }
    const after = await database.db.notification.findMany({ where: { id: { in: ids } } });
    expect(after.every((r) => r.status === "SENDING" && r.attempts === 1 && r.sendingAt !== null)).toBe(true);
    // Claimed rows are not claimed again by a later group.
    expect(await Promise.all(ids.map((id) => store.claimDue(id)))).toEqual(ids.map(() => null));
  });

  it("leaves reminders, rows with a SID and rows not yet due to the careful path", async () => {
    const rows = await departures(2);
    const reminder = rows.find((r) => r.kind === "REMINDER")!;
    const [a, b] = rows.filter((r) => r.kind === "DEPARTURE");
    await database.db.notification.update({ where: { id: a!.id }, data: { providerSid: `SM${"1".repeat(32)}` } });
    await database.db.notification.update({ where: { id: b!.id }, data: { notBefore: new Date(Date.now() + 3_600_000) } });
    expect(await Promise.all([reminder.id, a!.id, b!.id].map((id) => store.claimDue(id)))).toEqual([null, null, null]);
    const unchanged = await database.db.notification.findMany({ where: { id: { in: [reminder.id, a!.id, b!.id] } } });
    expect(unchanged.every((r) => r.status !== "SENDING" && r.attempts === 0)).toBe(true);
  });

  it("writes SIDs in groups and never moves a status backwards", async () => {
    const [first, second] = (await departures(2)).filter((r) => r.kind === "DEPARTURE");
    await Promise.all([first!, second!].map((r) => store.claimDue(r.id)));
    // The status webhook was first for `second`: DELIVERED stays.
    await database.db.notification.update({ where: { id: second!.id }, data: { status: "DELIVERED" } });
    const at = new Date();
    const statuses = await Promise.all([
      store.recordAccepted({ id: first!.id, sid: `SM${"a".repeat(32)}`, provider: "twilio", status: "ACCEPTED", at }),
      store.recordAccepted({ id: second!.id, sid: `SM${"b".repeat(32)}`, provider: "twilio", status: "ACCEPTED", at }),
    ]);
    expect(statuses).toEqual(["ACCEPTED", "DELIVERED"]);
    const after = await database.db.notification.findMany({ where: { id: { in: [first!.id, second!.id] } }, orderBy: { id: "asc" } });
    const byId = new Map(after.map((r) => [r.id, r]));
    expect(byId.get(first!.id)).toMatchObject({ status: "ACCEPTED", providerSid: `SM${"a".repeat(32)}`, provider: "twilio" });
    expect(byId.get(second!.id)).toMatchObject({ status: "DELIVERED", providerSid: `SM${"b".repeat(32)}` });
  });

  it("sends many notices concurrently through the double exactly once each, and refuses a second send", async () => {
    const rows = (await departures(40)).filter((r) => r.kind === "DEPARTURE");
    const before = stage.double.accepted().length;
    // Every notice's job delivered twice at once (a stalled job and its redelivery).
    const results = await Promise.all([...rows, ...rows].map((r) => sendNotification(deps(), r.id)));
    const sent = results.filter((r) => r.outcome === "sent");
    expect(sent).toHaveLength(rows.length);
    // The losers saw the row SENDING (an attempt in flight) or already accepted, never sent it.
    expect(results.filter((r) => r.outcome !== "sent").every((r) => r.outcome === "wait" || r.outcome === "done")).toBe(true);
    const accepted = stage.double.accepted(0).slice(before);
    for (const r of rows) expect(accepted.filter((m) => m.reference === r.reference)).toHaveLength(1);
    const after = await database.db.notification.findMany({ where: { id: { in: rows.map((r) => r.id) } } });
    expect(after.every((r) => r.status === "ACCEPTED" && r.providerSid !== null && r.attempts === 1)).toBe(true);
    // A later job for any of them changes nothing.
    expect((await Promise.all(rows.map((r) => sendNotification(deps(), r.id)))).every((r) => r.outcome === "done")).toBe(true);
    expect(stage.double.accepted(0).slice(before)).toHaveLength(rows.length);
  });
});

describe("fan-out", () => {
  it("enqueues the due notices now and answers when the held reminders fall due; that later fan-out enqueues them", async () => {
    const rows = await departures(3);
    const runId = rows[0]!.runId!;
    const reminders = rows.filter((r) => r.kind === "REMINDER");
    expect(reminders).toHaveLength(3);
    const jobs: SendJob[] = [];
    const enqueue = async (batch: SendJob[]) => void jobs.push(...batch);

    const first = await fanOutRun({ db: database.db, log, pii: pii() }, runId, enqueue);
    expect(new Set(jobs.map((j) => j.notificationId))).toEqual(new Set(rows.filter((r) => r.kind === "DEPARTURE").map((r) => r.id)));
    expect(jobs.every((j) => j.delayMs === 0)).toBe(true);
    const remindAt = Math.min(...reminders.map((r) => r.notBefore!.getTime()));
    expect(first).toEqual({ enqueued: 3, nextAt: new Date(remindAt) });

    // The scheduled fan-out, run at the reminders' time (the departures went out meanwhile).
    await database.db.notification.updateMany({ where: { runId, kind: "DEPARTURE" }, data: { status: "ACCEPTED" } });
    jobs.length = 0;
    const second = await fanOutRun({ db: database.db, log, pii: pii() }, runId, enqueue, new Date(remindAt));
    expect(second).toEqual({ enqueued: 3, nextAt: null });
    expect(new Set(jobs.map((j) => j.notificationId))).toEqual(new Set(reminders.map((r) => r.id)));
  });
});

describe("the sweep", () => {
  it("re-enqueues stale rows without a live job; while sends wait in line, only SENDING ones", async () => {
    const [a, b, c] = (await departures(3)).filter((r) => r.kind === "DEPARTURE");
    await database.db.$executeRaw`UPDATE notifications SET updated_at = now() - interval '10 minutes' WHERE id IN (${a!.id}::uuid, ${b!.id}::uuid)`;
    await database.db.$executeRaw`UPDATE notifications SET status = 'SENDING', sending_at = now() - interval '10 minutes', updated_at = now() - interval '10 minutes' WHERE id = ${c!.id}::uuid`;
    const jobs = createJobProducer(inject("redisUrl"), `t${randomBytes(4).toString("hex")}`);
    const sweep = () => smsSweep({ config: stage.config, db: database.db, log, jobs, databaseUrl: database.url, pii: pii() });
    try {
      const queue = jobs.queues.sms;
      // a's job waits in line: a is live, and the line is not empty.
      await queue.add("sms.send", { notificationId: a!.id, first: true }, { jobId: a!.id });
      expect(await sweep()).toEqual({ requeued: 1 });
      expect(await queue.getJob(c!.id)).toMatchObject({ name: "sms.send", data: { notificationId: c!.id } });
      expect(await queue.getJob(b!.id)).toBeUndefined(); // pending, and sends are waiting: left alone
      expect((await queue.getJob(a!.id))?.data).toEqual({ notificationId: a!.id, first: true });

      // The line drained and the jobs are gone (e.g. Redis lost them): every stale row comes back.
      await queue.obliterate({ force: true });
      expect(await sweep()).toEqual({ requeued: 3 });
      for (const r of [a!, b!, c!]) expect((await queue.getJob(r.id))?.data).toEqual({ notificationId: r.id });
      await queue.obliterate({ force: true });
    } finally {
      await jobs.close();
    }
  });
});

describe("the batcher", () => {
  it("groups calls made together, never puts one key twice in a group, and fails only the group whose statement failed", async () => {
    const groups: string[][] = [];
    const call = createBatcher<string, string>(async (items) => {
      groups.push(items);
      if (items.includes("boom")) throw new Error("statement failed");
      return items.map((i) => i.toUpperCase());
    }, { maxBatch: 2, maxInFlight: 1 });
    const results = await Promise.allSettled(["a", "b", "a", "c", "boom", "d"].map((k) => call(k, k)));
    expect(results.map((r) => (r.status === "fulfilled" ? r.value : "rejected"))).toEqual(["A", "B", "A", "C", "rejected", "rejected"]);
    expect(groups).toEqual([["a", "b"], ["a", "c"], ["boom", "d"]]);
  });
});
