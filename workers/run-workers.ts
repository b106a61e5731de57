// Starts the BullMQ workers (one per queue) and the outbox relay in this process, and returns a
// function that stops them gracefully: workers finish their current jobs, the relay its batch.
import { Worker } from "bullmq";
import type { Config } from "../src/config.ts";
import { createPrismaClient } from "../src/db/node-client.ts";
import type { Logger } from "../src/logger.ts";
import { queueNames, type QueueName } from "../src/queue/definitions.ts";
import { createJobProducer, redisConnectionOptions } from "../src/queue/producer.ts";
import { piiVaultFromConfig } from "../src/pii/vault.ts";
import { smsSendConcurrency } from "../src/services/sms/providers.ts";
import { startOutboxRelay } from "./outbox-relay.ts";
import { createDispatcher } from "./processors/index.ts";

const concurrency: Record<QueueName, number> = { maintenance: 2, intake: 2, allocation: 1, sms: 50, wages: 4 };

function smsLimiter(perSecond: number): { max: number; duration: number } {
  return perSecond >= 1 ? { max: Math.round(perSecond), duration: 1_000 } : { max: 1, duration: Math.round(1_000 / perSecond) };
}

export interface RunningWorkers {
  stop(): Promise<void>;
  drainOutbox(): Promise<number>;
}

export async function runWorkers(opts: { config: Config; log: Logger; databaseUrl: string; redisUrl: string; prefix?: string; queues?: readonly QueueName[] }): Promise<RunningWorkers> {
  const { config, log } = opts;
  const prefix = opts.prefix ?? "homeward";
  const db = createPrismaClient(opts.databaseUrl, 10);
  const jobs = createJobProducer(opts.redisUrl, prefix);
  const dispatch = createDispatcher({ config, db, log, jobs, databaseUrl: opts.databaseUrl, pii: piiVaultFromConfig(config) });
  const connection = redisConnectionOptions(opts.redisUrl, "worker");
  const workers = (opts.queues ?? queueNames).map((queue) => {
    const worker = new Worker(queue, dispatch, {
      connection,
      prefix,
      // SMS: enough sends in flight for the configured rate at Twilio's answer time.
      concurrency: queue === "sms" ? Math.max(concurrency.sms, smsSendConcurrency(config)) : concurrency[queue],
      // The global SMS send rate: BullMQ's limiter lives in Redis, so it holds across all worker
      // processes of the queue.
      // Sends are idempotent (the notification's state machine): a job may stall (its worker
      // killed) more than once without being failed for it.
      ...(queue === "sms" && { limiter: smsLimiter(config.SMS_RATE_PER_SECOND), maxStalledCount: 20 }),
      // The allocation engine computes synchronously for up to ~30 s on a city-scale run, so the
      // job lock is not renewed meanwhile: give it room instead of letting the job stall.
      ...(queue === "allocation" && { lockDuration: 300_000, stalledInterval: 300_000 }),
    });
    worker.on("error", (error) => log.warn({ err: error, queue }, "worker error"));
    worker.on("failed", (job, error) => log.warn({ jobId: job?.id, job: job?.name, err: error }, "job failed"));
    return worker;
  });
  await jobs.queues.maintenance.upsertJobScheduler(
    "purge-expired-hourly",
    { every: 3_600_000 },
    { name: "maintenance.purge-expired", data: {} },
  ).catch((error) => log.warn({ err: error }, "could not schedule purge"));
  await jobs.queues.wages.upsertJobScheduler(
    "wages-escalate-overdue-hourly",
    { every: 3_600_000 },
    { name: "wages.escalate-overdue", data: {} },
  ).catch((error) => log.warn({ err: error }, "could not schedule the wage-case overdue check"));
  if (!opts.queues || opts.queues.includes("sms")) {
    await jobs.queues.sms.upsertJobScheduler("sms-sweep", { every: 60_000 }, { name: "sms.sweep", data: {} })
      .catch((error) => log.warn({ err: error }, "could not schedule the SMS sweep"));
  }
  const relay = startOutboxRelay({ databaseUrl: opts.databaseUrl, queues: jobs.queues, log, pollMs: config.OUTBOX_POLL_MS });
  log.info({ queues: opts.queues ?? queueNames }, "workers started");
  return {
    drainOutbox: () => relay.drain(),
    async stop() {
      await relay.stop();
      await Promise.all(workers.map((w) => w.close()));
      await jobs.close();
      await db.$disconnect();
      log.info("workers stopped");
    },
  };
}
