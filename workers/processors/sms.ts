// SMS jobs: thin wrappers over src/services/sms. The send processor maps the service's outcome to
// BullMQ: wait → move the job to delayed; provider throttling → queue.rateLimit + RateLimitError;
// transient → throw (exponential backoff); permanent → UnrecoverableError (no retry).
import { DelayedError, RateLimitError, UnrecoverableError, type Job } from "bullmq";
import { jobDefinitions } from "../../src/queue/definitions.ts";
import { fanOutRun, findStuckNotifications, notifyWagesRecovered, type EnqueueSends } from "../../src/services/sms/fan-out.ts";
import { createSmsProvider } from "../../src/services/sms/providers.ts";
import { sendNotification } from "../../src/services/sms/send.ts";
import type { SmsProvider } from "../../src/sms/provider.ts";
import type { ProcessorDeps } from "./types.ts";

const providers = new WeakMap<ProcessorDeps["db"], SmsProvider>();

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
  return async (jobs) => {
    for (let i = 0; i < jobs.length; i += 1_000) {
      await deps.jobs.queues.sms.addBulk(
        jobs.slice(i, i + 1_000).map((j) => ({
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
  const result = await sendNotification({ ...deps, provider: providerFor(deps) }, payload.notificationId, { lastAttempt });
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
  return fanOutRun(deps, payload.runId, bulkEnqueuer(deps));
}

export async function smsWagesRecovered(deps: ProcessorDeps, payload: { caseId: string; paymentId: string }) {
  return notifyWagesRecovered(deps, payload, bulkEnqueuer(deps));
}

const LIVE_STATES = new Set(["waiting", "delayed", "active", "prioritized", "waiting-children"]);

export async function smsSweep(deps: ProcessorDeps) {
  const queue = deps.jobs.queues.sms;
  const missing: string[] = [];
  for (const id of await findStuckNotifications(deps)) {
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
