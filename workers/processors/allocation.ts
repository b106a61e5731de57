// Allocation jobs: thin over the allocation service.
import type { Job } from "bullmq";
import { executeAllocationRun } from "../../src/services/allocation/execute.ts";
import type { ProcessorDeps } from "./types.ts";

export async function runAllocation(deps: ProcessorDeps, payload: { runId: string }, jobId: string, job: Job) {
  const finalAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
  // The engine yields between its steps: the run row and the job both show progress while it computes.
  return executeAllocationRun({ db: deps.db, log: deps.log, pii: deps.pii, requestId: jobId }, payload.runId, {
    finalAttempt,
    onProgress: (percent) => job.updateProgress(percent),
  });
}
