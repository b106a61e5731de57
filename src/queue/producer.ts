// Direct producers (Node only). They fail fast when Redis is down: no offline queue, one short
// connection attempt, and the caller answers 503. Domain changes do not use this path: they go
// through the outbox, so nothing is lost while Redis is away.
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import type { RedisOptions } from "bullmq";
import { AppError } from "../errors.ts";
import { withTimeout } from "./timeout.ts";
import { jobDefinitions, queueNames, type JobName, type JobPayload, type QueueName } from "./definitions.ts";

export interface JobProducer {
  add<N extends JobName>(name: N, payload: JobPayload<N>, options?: { jobId?: string; delayMs?: number }): Promise<string>;
  queues: Record<QueueName, Queue>;
  close(): Promise<void>;
}

export function redisConnectionOptions(redisUrl: string, role: "producer" | "worker"): RedisOptions {
  const url = new URL(redisUrl);
  return {
    host: url.hostname,
    port: Number(url.port || 6379),
    username: url.username ? decodeURIComponent(url.username) : undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    db: url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0,
    tls: url.protocol === "rediss:" ? {} : undefined,
    // Workers must wait for Redis forever (BullMQ requirement); producers must not hang requests.
    maxRetriesPerRequest: role === "worker" ? null : 1,
    enableOfflineQueue: role === "worker",
    connectTimeout: role === "worker" ? 10_000 : 1_000,
  };
}

const ADD_TIMEOUT_MS = 3_000;

export function createJobProducer(redisUrl: string, prefix = "homeward"): JobProducer {
  const connection = redisConnectionOptions(redisUrl, "producer");
  // BullMQ waits for its connection before every command; this probe lets a producer see at once
  // that Redis is away instead of hanging the request.
  const probe = new Redis({ ...connection, lazyConnect: false, retryStrategy: (times) => Math.min(times * 250, 2_000) });
  probe.on("error", () => undefined);
  const queues = Object.fromEntries(
    queueNames.map((name) => {
      const queue = new Queue(name, { connection, prefix });
      queue.on("error", () => undefined); // surfaced per call as 503
      return [name, queue];
    }),
  ) as Record<QueueName, Queue>;
  return {
    queues,
    async add(name, payload, options = {}) {
      const definition = jobDefinitions[name];
      const data = definition.payload.parse(payload);
      try {
        if (probe.status !== "ready") throw new Error(`redis connection is ${probe.status}`);
        const job = await withTimeout(queues[definition.queue].add(name, data, {
          jobId: options.jobId,
          delay: options.delayMs,
          attempts: definition.attempts,
          backoff: { type: "exponential", delay: definition.backoffMs },
          removeOnComplete: definition.keepCompleted,
          removeOnFail: definition.keepFailed,
        }), ADD_TIMEOUT_MS, "enqueue");
        return job.id!;
      } catch (error) {
        throw new AppError("SERVICE_UNAVAILABLE", { code: "QUEUE_UNAVAILABLE", detail: "the job queue is unavailable", cause: error });
      }
    },
    async close() {
      probe.disconnect();
      await Promise.all(Object.values(queues).map((q) => withTimeout(q.close(), 5_000, "queue close").catch(() => undefined)));
    },
  };
}
