// SMS jobs: thin wrappers over src/services/sms. The send processor maps the service's outcome to
// BullMQ: wait → move the job to delayed; provider throttling → queue.rateLimit + RateLimitError;
// transient → throw (exponential backoff); permanent → UnrecoverableError (no retry).
import { DelayedError, RateLimitError, UnrecoverableError, type Job } from "bullmq";
import pg from "pg";
import { jobDefinitions } from "../../src/queue/definitions.ts";
import { fanOutRun, findStuckNotifications, notifyWagesRecovered, type EnqueueSends } from "../../src/services/sms/fan-out.ts";
import { createSmsProvider } from "../../src/services/sms/providers.ts";
import { createSendStore, pgRunner, type SendStore } from "../../src/services/sms/send-store.ts";
import { sendNotification } from "../../src/services/sms/send.ts";
import type { SmsProvider } from "../../src/sms/provider.ts";
import type { ProcessorDeps } from "./types.ts";

const providers = new WeakMap<ProcessorDeps["db"], SmsProvider>();
// The send path's claim and SID statements run over plain pg (prepared statements, grouped across
// the sends in flight), not Prisma: per send, that was most of the worker's CPU. A few
// connections suffice, as each statement serves a whole group of sends.
const stores = new Map<string, SendStore>();

function storeFor(deps: ProcessorDeps): SendStore {
  let store = stores.get(deps.databaseUrl);
  if (!store) {
    const pool = new pg.Pool({ connectionString: deps.databaseUrl, max: 4, idleTimeoutMillis: 10_000, allowExitOnIdle: true });
    pool.on("error", (error) => deps.log.warn({ err: error }, "sms pg pool error"));
    store = createSendStore(pgRunner(pool));
    stores.set(deps.databaseUrl, store);
  }
  return store;
}

function providerFor(deps: ProcessorDeps): SmsProvider {
  let provider = providers.get(deps.db);
  if (!provider) {
    provider = createSmsProvider(deps.config, { db: deps.db, pii: deps.pii });
    providers.set(deps.db, provider);
  }
  return provider;
}

function bulkEnqueuer(deps: ProcessorDeps): EnqueueSends {
  const definition = jobDefinitions["sms.send"];
  // 250 jobs per addBulk: each is one MULTI that Redis runs in one go and one synchronous build in
  // this process; smaller groups let the sends already in flight go on in between.
  return async (jobs) => {
    for (let i = 0; i < jobs.length; i += 250) {
      await deps.jobs.queues.sms.addBulk(
        jobs.slice(i, i + 250).map((j) => ({
          name: "sms.send",
          data: { notificationId: j.notificationId },
          opts: {
            jobId: j.notificationId,
            delay: j.delayMs > 0 ? j.delayMs : undefined,
            attempts: definition.attempts,
            backoff: { type: "exponential", delay: definition.backoffMs },
            removeOnComplete: definition.keepCompleted,
            removeOnFail: definition.keepFailed,
          },
        })),
      );
    }
  };
}

export async function smsSend(deps: ProcessorDeps, payload: { notificationId: string }, _jobId: string, job: Job, token?: string) {
  const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
  const result = await sendNotification({ ...deps, provider: providerFor(deps), store: storeFor(deps) }, payload.notificationId, { lastAttempt });
  switch (result.outcome) {
    case "wait":
      if (!token) throw new Error("cannot delay a job without its lock token");
      await job.moveToDelayed(Math.max(result.until.getTime(), Date.now() + 100), token);
      throw new DelayedError();
    case "paused":
      await deps.jobs.queues.sms.rateLimit(result.retryAfterMs);
      throw new RateLimitError();
    case "retry":
      throw result.error;
    case "failed":
      throw new UnrecoverableError(`permanent SMS failure ${result.code}`);
    default:
      return result;
  }
}

export async function smsFanOut(deps: ProcessorDeps, payload: { runId: string }) {
  const result = await fanOutRun(deps, payload.runId, bulkEnqueuer(deps));
  if (result.nextAt) {
    // The next fan-out of this run, when its next held notices fall due; one job per run and
    // moment (the id), however often this one is retried. Were it lost, the sweep would still
    // find those notices once due.
    const definition = jobDefinitions["sms.fan-out"];
    await deps.jobs.queues.sms.add("sms.fan-out", { runId: payload.runId }, {
      jobId: `sms-fan-out-${payload.runId}-${result.nextAt.getTime()}`,
      delay: Math.max(0, result.nextAt.getTime() - Date.now()),
      attempts: definition.attempts,
      backoff: { type: "exponential", delay: definition.backoffMs },
      removeOnComplete: definition.keepCompleted,
      removeOnFail: definition.keepFailed,
    });
  }
  return { enqueued: result.enqueued, nextAt: result.nextAt?.toISOString() ?? null };
}

export async function smsWagesRecovered(deps: ProcessorDeps, payload: { caseId: string; paymentId: string }) {
  return notifyWagesRecovered(deps, payload, bulkEnqueuer(deps));
}

const LIVE_STATES = new Set(["waiting", "delayed", "active", "prioritized", "waiting-children"]);

export async function smsSweep(deps: ProcessorDeps) {
  const queue = deps.jobs.queues.sms;
  // While send jobs wait in line (a large run behind the limiter), PENDING rows look stale without
  // being lost, and job.getState() scans the wait list for each: thousands of those scans a minute
  // kept Redis busy. So then only SENDING rows (at most the sends in flight when a worker died)
  // are checked; pending ones are checked once the line has drained.
  const backlog = await queue.getWaitingCount();
  const missing: string[] = [];
  for (const id of await findStuckNotifications(deps, { sendingOnly: backlog > 0 })) {
    const job = await queue.getJob(id);
    if (job && LIVE_STATES.has(await job.getState())) continue;
    // A finished job with this id would swallow the new one: remove it first.
    if (job) await job.remove().catch(() => undefined);
    missing.push(id);
  }
  if (missing.length > 0) {
    deps.log.warn({ count: missing.length }, "re-enqueueing SMS notifications that had lost their job");
    await bulkEnqueuer(deps)(missing.map((notificationId) => ({ notificationId, delayMs: 0 })));
  }
  return { requeued: missing.length };
}
