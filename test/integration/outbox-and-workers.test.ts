// The outbox: a domain change and its job are committed together or not at all; the relay moves
// committed rows into BullMQ with the row id as job id (one job however often it is relayed); the
// worker processes it; producers fail fast with 503 when Redis is down.
import { Queue, QueueEvents } from "bullmq";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createLogger } from "../../src/logger.ts";
import { enqueueViaOutbox } from "../../src/queue/outbox.ts";
import { createJobProducer, redisConnectionOptions } from "../../src/queue/producer.ts";
import { runWorkers, type RunningWorkers } from "../../workers/run-workers.ts";
import { startOutboxRelay } from "../../workers/outbox-relay.ts";
import { AppError } from "../../src/errors.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/database.ts";
import { testConfig } from "../helpers/app.ts";

let database: TestDatabase;
const prefix = `t${randomBytes(4).toString("hex")}`;
const log = createLogger("silent");

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => database.drop());

describe("outbox", () => {
  it("rolls back with the transaction that wrote it", async () => {
    await expect(
      database.db.$transaction(async (tx) => {
        await enqueueViaOutbox(tx, "maintenance.audit-ping", { note: "never" });
        throw new Error("domain change failed");
      }),
    ).rejects.toThrow("domain change failed");
    expect(await database.db.outboxMessage.count()).toBe(0);
  });

  it("validates the payload with the job's schema before writing", async () => {
    await expect(enqueueViaOutbox(database.db, "maintenance.audit-ping", { note: "x".repeat(500) })).rejects.toThrow();
  });

  it("is relayed once into BullMQ, even when relayed twice, and processed by the worker", async () => {
    const queue = new Queue("maintenance", { connection: redisConnectionOptions(inject("redisUrl"), "producer"), prefix });
    const id = await database.db.$transaction((tx) => enqueueViaOutbox(tx, "maintenance.audit-ping", { note: "hello" }));
    // Two relays racing over the same rows: SKIP LOCKED + job id keep it one job.
    const relays = [1, 2].map(() => startOutboxRelay({ databaseUrl: database.url, queues: { maintenance: queue } as never, log, pollMs: 60_000 }));
    await Promise.all(relays.map((r) => r.drain()));
    await Promise.all(relays.map((r) => r.stop()));
    // Simulate a crash after BullMQ accepted but before the row was marked: relay it again.
    await database.db.outboxMessage.update({ where: { id }, data: { dispatchedAt: null } });
    const again = startOutboxRelay({ databaseUrl: database.url, queues: { maintenance: queue } as never, log, pollMs: 60_000 });
    await again.drain();
    await again.stop();
    const jobs = await queue.getJobs(["waiting", "delayed", "active", "completed"]);
    expect(jobs.map((j) => j.id)).toEqual([`outbox-${id}`]);

    const events = new QueueEvents("maintenance", { connection: redisConnectionOptions(inject("redisUrl"), "worker"), prefix });
    await events.waitUntilReady();
    const done = new Promise<void>((resolve) => events.on("completed", ({ jobId }) => jobId === `outbox-${id}` && resolve()));
    const workers: RunningWorkers = await runWorkers({ config: testConfig(), log, databaseUrl: database.url, redisUrl: inject("redisUrl"), prefix, queues: ["maintenance"] });
    await done;
    await workers.stop();
    await events.close();
    await queue.obliterate({ force: true });
    await queue.close();
    const audit = await database.db.auditEntry.findMany({ where: { action: "maintenance.audit_ping" } });
    expect(audit).toHaveLength(1);
    expect(audit[0]!.details).toEqual({ note: "hello" });
    expect((await database.db.outboxMessage.findUniqueOrThrow({ where: { id } })).dispatchedAt).not.toBeNull();
  });

  it("keeps rows while Redis is unreachable and records the failure", async () => {
    const dead = new Queue("maintenance", { connection: { ...redisConnectionOptions("redis://127.0.0.1:1", "producer") }, prefix });
    dead.on("error", () => undefined);
    const id = await enqueueViaOutbox(database.db, "maintenance.audit-ping", { note: "later" });
    const relay = startOutboxRelay({ databaseUrl: database.url, queues: { maintenance: dead } as never, log, pollMs: 60_000, dispatchTimeoutMs: 1_000 });
    await expect(relay.drain()).rejects.toThrow();
    await relay.stop();
    void dead.close().catch(() => undefined);
    const row = await database.db.outboxMessage.findUniqueOrThrow({ where: { id } });
    expect(row.dispatchedAt).toBeNull();
    expect(row.attempts).toBeGreaterThanOrEqual(1);
    expect(row.lastError).toBeTruthy();
  });
});

describe("direct producers", () => {
  it("fail fast with 503 QUEUE_UNAVAILABLE when Redis is down", async () => {
    const producer = createJobProducer("redis://127.0.0.1:1", prefix);
    const started = Date.now();
    const error = await producer.add("maintenance.audit-ping", { note: "x" }).catch((e) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ status: 503, code: "QUEUE_UNAVAILABLE" });
    // Not a hang: one short connection attempt (generous bound, not a timing assertion on speed).
    expect(Date.now() - started).toBeLessThan(15_000);
    await producer.close().catch(() => undefined);
  });
});
