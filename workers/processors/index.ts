// The job name → processor map. Processors are thin: parse the payload with the job's schema and
// call one service function.
import { UnrecoverableError, type Job } from "bullmq";
import { jobDefinitions, type JobName } from "../../src/queue/definitions.ts";
import { runAllocation } from "./allocation.ts";
import { auditPing, purgeExpired } from "./maintenance.ts";
import { importTicketListFile } from "./intake.ts";
import { smsFanOut, smsSend, smsSweep, smsWagesRecovered } from "./sms.ts";
import type { ProcessorDeps } from "./types.ts";
import { escalateOverdue } from "./wages.ts";

type Processor = (deps: ProcessorDeps, payload: never, jobId: string, job: Job, token?: string) => Promise<unknown>;

const processors: Record<JobName, Processor> = {
  "maintenance.purge-expired": purgeExpired as Processor,
  "maintenance.audit-ping": auditPing as Processor,
  "intake.import": importTicketListFile as Processor,
  "allocation.run": runAllocation as Processor,
  "sms.send": smsSend as Processor,
  "sms.fan-out": smsFanOut as Processor,
  "sms.wages-recovered": smsWagesRecovered as Processor,
  "sms.sweep": smsSweep as Processor,
  "wages.escalate-overdue": escalateOverdue as Processor,
};

export function createDispatcher(deps: ProcessorDeps) {
  return async (job: Job, token?: string) => {
    const name = job.name as JobName;
    const definition = jobDefinitions[name];
    const processor = processors[name];
    if (!definition || !processor) throw new UnrecoverableError(`unknown job ${job.name}`);
    const parsed = definition.payload.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`invalid payload for ${job.name}: ${parsed.error.message}`);
    const log = deps.log.child({ jobId: job.id, job: job.name, attempt: job.attemptsMade + 1 });
    return processor({ ...deps, log }, parsed.data as never, job.id!, job, token);
  };
}
