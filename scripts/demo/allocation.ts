// One allocation run, executed in-process with the job's own service function (executeAllocationRun,
// which the allocation worker calls), then published by the city union. A second seed run finds the
// published run and leaves it; a run left behind by an interrupted seed is finished instead.
import { publishAllocation, startAllocation } from "../../src/services/allocation/runs.ts";
import { executeAllocationRun } from "../../src/services/allocation/execute.ts";
import { contextOf, systemContext, type DemoEnv } from "./context.ts";

export interface AllocationSummary {
  runId: string;
  status: string;
  assigned: number;
  unassigned: number;
  created: boolean;
}

export async function ensurePublishedAllocation(env: DemoEnv, campaignId: string, cityUser: string): Promise<AllocationSummary> {
  const published = await env.db.allocationRun.findFirst({ where: { campaignId, status: "PUBLISHED" } });
  if (published) return summarise(env, published.id, false);
  const ctx = await contextOf(env, cityUser);
  let run = await env.db.allocationRun.findFirst({ where: { campaignId, status: { in: ["QUEUED", "RUNNING", "SUCCEEDED"] } }, orderBy: { seq: "desc" } });
  const created = !run;
  if (!run) run = await env.db.allocationRun.findUniqueOrThrow({ where: { id: (await startAllocation(ctx, campaignId, {})).id } });
  if (run.status !== "SUCCEEDED") {
    const result = await executeAllocationRun(systemContext(env), run.id);
    if (result.status !== "SUCCEEDED") throw new Error(`demo allocation run ${run.id} ended ${result.status}: ${JSON.stringify("failure" in result ? result.failure : null)}`);
  }
  await publishAllocation(ctx, { config: env.config }, run.id);
  return summarise(env, run.id, created);
}

async function summarise(env: DemoEnv, runId: string, created: boolean): Promise<AllocationSummary> {
  const run = await env.db.allocationRun.findUniqueOrThrow({ where: { id: runId } });
  const report = (run.report ?? {}) as { assigned?: number; unassigned?: number };
  return { runId, status: run.status, assigned: report.assigned ?? 0, unassigned: report.unassigned ?? 0, created };
}
