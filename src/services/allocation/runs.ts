// Allocation runs: the city union starts one (a job does the work), reviews its report and
// publishes it. Publishing is one transaction: the run becomes the published one, the previous
// one is superseded, lists with seats become ALLOCATED, the change requests the run took into
// account are consumed, the SMS notifications are written, and the audit entry records it.
import { z } from "@hono/zod-openapi";
import type { Principal } from "../../auth/principal.ts";
import type { Config } from "../../config.ts";
import type { DbOrTx } from "../../db/types.ts";
import { AppError, notFound } from "../../errors.ts";
import { enqueueViaOutbox } from "../../queue/outbox.ts";
import { recordAudit } from "../audit.ts";
import { campaignOfCity, lockOpenCampaign } from "./campaign-access.ts";
import type { ServiceContext } from "../context.ts";
import { writePublishNotifications } from "../sms/publish-notifications.ts";

/** Overrides of the engine's default policy, and capacity to leave out of this run. */
export const RunParametersSchema = z
  .object({
    busMaxKm: z.number().min(50).max(5000).optional(),
    airMinKm: z.number().min(200).max(6000).optional(),
    detourFactor: z.number().min(1).max(3).optional(),
    distanceTable: z.record(z.string().regex(/^\d{6}$/), z.number().min(0).max(6000)).optional(),
    maxOnwardKm: z.number().min(0).max(1000).optional(),
    busSpeedKmh: z.number().min(20).max(120).optional(),
    stopMinutes: z.number().int().min(0).max(120).optional(),
    maxKmByDrivers: z.array(z.number().min(0).max(5000)).min(2).max(4).optional(),
    curfew: z.object({ startMinute: z.number().int().min(0).max(1439), endMinute: z.number().int().min(0).max(1439) }).strict().optional(),
    minGroupTicketBatch: z.number().int().min(1).max(200).optional(),
    routingBudgetMs: z.number().int().min(100).max(600_000).optional(),
    seed: z.number().int().min(0).max(2 ** 31 - 1).optional(),
    excludeCapacityIds: z.array(z.uuid()).max(10_000).optional().openapi({ description: "Capacity this run must not use (e.g. before withdrawing it)" }),
  })
  .strict()
  .openapi("AllocationParameters");

export type RunParameters = z.infer<typeof RunParametersSchema>;

type RunRow = {
  id: string;
  campaignId: string;
  seq: number;
  status: "QUEUED" | "RUNNING" | "SUCCEEDED" | "FAILED" | "PUBLISHED" | "SUPERSEDED";
  parameters: unknown;
  baseRunId: string | null;
  progress: number;
  report: unknown;
  diffSummary: unknown;
  failure: unknown;
  createdBy: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  publishedAt: Date | null;
  publishedBy: string | null;
};

/** What a stored report holds besides the engine's quality report. */
export interface StoredUnassigned {
  travelerId: string;
  reason: string;
  detail: string;
}

export function presentRun(row: RunRow) {
  const report = (row.report ?? null) as (Record<string, unknown> & { unassignedList?: StoredUnassigned[] }) | null;
  const { unassignedList: _list, ...summary } = report ?? {};
  const diff = (row.diffSummary ?? null) as { added?: number; moved?: number; removed?: number; unchanged?: number } | null;
  return {
    id: row.id,
    campaignId: row.campaignId,
    seq: row.seq,
    status: row.status,
    parameters: (row.parameters ?? {}) as Record<string, unknown>,
    baseRunId: row.baseRunId,
    progress: row.progress,
    report: report ? summary : null,
    diff: diff ? { added: diff.added ?? 0, moved: diff.moved ?? 0, removed: diff.removed ?? 0, unchanged: diff.unchanged ?? 0 } : null,
    failure: (row.failure ?? null) as Record<string, unknown> | null,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    startedAt: row.startedAt?.toISOString() ?? null,
    finishedAt: row.finishedAt?.toISOString() ?? null,
    publishedAt: row.publishedAt?.toISOString() ?? null,
    publishedBy: row.publishedBy,
  };
}

async function runOfCity(db: DbOrTx, principal: Principal, runId: string) {
  const run = await db.allocationRun.findUnique({ where: { id: runId } });
  if (!run) throw notFound();
  await campaignOfCity(db, principal, run.campaignId);
  return run as RunRow;
}

export async function startAllocation(ctx: ServiceContext, campaignId: string, parameters: RunParameters) {
  await campaignOfCity(ctx.db, ctx.principal, campaignId);
  return ctx.db.$transaction(async (tx) => {
    // One start at a time per campaign: the row lock serialises the seq and the base.
    await lockOpenCampaign(tx, campaignId);
    const last = await tx.allocationRun.findFirst({ where: { campaignId }, orderBy: { seq: "desc" }, select: { seq: true } });
    const base = await tx.allocationRun.findFirst({ where: { campaignId, status: "PUBLISHED" }, select: { id: true } });
    const run = await tx.allocationRun.create({
      data: { campaignId, seq: (last?.seq ?? 0) + 1, parameters: parameters as object, baseRunId: base?.id ?? null, createdBy: ctx.principal.actorLabel },
    });
    await enqueueViaOutbox(tx, "allocation.run", { runId: run.id });
    await recordAudit(tx, ctx, { action: "allocation.start", entityType: "allocation_run", entityId: run.id, campaignId, details: { seq: run.seq, baseRunId: run.baseRunId, parameters } });
    return presentRun(run as RunRow);
  });
}

export async function listAllocationRuns(ctx: ServiceContext, campaignId: string) {
  await campaignOfCity(ctx.db, ctx.principal, campaignId);
  const rows = await ctx.db.allocationRun.findMany({ where: { campaignId }, orderBy: { seq: "desc" } });
  return rows.map((r) => presentRun(r as RunRow));
}

/** The run with its report, its diff counts and the travellers it left without a seat (names, reasons). */
export async function getAllocationRun(ctx: ServiceContext, runId: string, options: { unassignedLimit?: number } = {}) {
  const run = await runOfCity(ctx.db, ctx.principal, runId);
  const list = ((run.report ?? {}) as { unassignedList?: StoredUnassigned[] }).unassignedList ?? [];
  const page = list.slice(0, options.unassignedLimit ?? 500);
  const travelers = page.length
    ? await ctx.db.traveler.findMany({ where: { id: { in: page.map((u) => u.travelerId) } }, select: { id: true, name: true, orgId: true, destinationCode: true } })
    : [];
  const byId = new Map(travelers.map((t) => [t.id, t]));
  return {
    ...presentRun(run),
    unassignedTotal: list.length,
    unassigned: page.map((u) => {
      const t = byId.get(u.travelerId);
      return { travelerId: u.travelerId, name: t?.name ?? null, orgId: t?.orgId ?? null, destinationCode: t?.destinationCode ?? null, reason: u.reason, detail: u.detail };
    }),
  };
}

const notPublishable = (status: string) =>
  new AppError("CONFLICT", {
    code: "ALLOCATION_NOT_PUBLISHABLE",
    message: { zh: `该分配方案状态为 ${status}，只有成功完成的方案才能发布`, en: `The run is ${status}; only a SUCCEEDED run can be published` },
    extensions: { runStatus: status },
  });

const stale = (en: string, zh: string, extensions: Record<string, unknown> = {}) =>
  new AppError("CONFLICT", { code: "ALLOCATION_STALE", message: { zh, en }, detail: en, extensions });

export async function publishAllocation(ctx: ServiceContext, deps: { config: Config }, runId: string) {
  await runOfCity(ctx.db, ctx.principal, runId);
  return ctx.db.$transaction(
    async (tx) => {
      const { campaignId } = await tx.allocationRun.findUniqueOrThrow({ where: { id: runId }, select: { campaignId: true } });
      await lockOpenCampaign(tx, campaignId);
      const run = (await tx.allocationRun.findUniqueOrThrow({ where: { id: runId } })) as RunRow;
      if (run.status !== "SUCCEEDED") throw notPublishable(run.status);
      const current = await tx.allocationRun.findFirst({ where: { campaignId, status: "PUBLISHED" }, select: { id: true, seq: true } });
      if ((current?.id ?? null) !== run.baseRunId) {
        throw stale(
          `Run ${run.seq} was built on ${run.baseRunId ? "another published run" : "no published run"}, but run ${current?.seq ?? "none"} is published now; start a new run`,
          `该方案基于的已发布方案已不是当前方案（当前为第 ${current?.seq ?? "—"} 次），请重新分配`,
          { publishedRunId: current?.id ?? null },
        );
      }
      // Capacity withdrawn or changed after the run read it, or travellers removed since: the run
      // would publish seats that no longer exist or people who no longer travel.
      const [changed] = await tx.$queryRaw<{ capacities: bigint; travelers: bigint }[]>`
        SELECT
          (SELECT count(*) FROM vehicles v JOIN capacities c ON c.id = v.capacity_id
            WHERE v.run_id = ${runId}::uuid AND (c.status <> 'ACTIVE' OR c.updated_at > ${run.startedAt ?? run.createdAt})) AS capacities,
          (SELECT count(*) FROM assignments a JOIN travelers t ON t.id = a.traveler_id JOIN ticket_lists l ON l.id = t.list_id
            WHERE a.run_id = ${runId}::uuid AND (t.status <> 'ACTIVE' OR l.status IN ('WITHDRAWN', 'DRAFT'))) AS travelers`;
      const capacitiesChanged = Number(changed?.capacities ?? 0);
      const travelersGone = Number(changed?.travelers ?? 0);
      if (capacitiesChanged > 0 || travelersGone > 0) {
        throw stale(
          `${capacitiesChanged} vehicles' capacity and ${travelersGone} travellers changed since the run started; start a new run`,
          `方案计算后有 ${capacitiesChanged} 项运力、${travelersGone} 名旅客发生变化，请重新分配`,
          { capacitiesChanged, travelersRemoved: travelersGone },
        );
      }
      const now = new Date();
      if (current) await tx.allocationRun.update({ where: { id: current.id }, data: { status: "SUPERSEDED" } });
      await tx.allocationRun.update({ where: { id: runId }, data: { status: "PUBLISHED", publishedAt: now, publishedBy: ctx.principal.actorLabel } });
      const lists = await tx.$executeRaw`
        UPDATE ticket_lists SET status = 'ALLOCATED', updated_at = now()
         WHERE status IN ('SUBMITTED', 'VALIDATED')
           AND id IN (SELECT t.list_id FROM assignments a JOIN travelers t ON t.id = a.traveler_id WHERE a.run_id = ${runId}::uuid)`;
      const consumed = await tx.allocationChangeRequest.updateMany({
        where: { campaignId, consumedByRunId: null, createdAt: { lte: run.startedAt ?? run.createdAt } },
        data: { consumedByRunId: runId },
      });
      const notifications = await writePublishNotifications(tx, { pii: ctx.pii, config: deps.config }, runId);
      await recordAudit(tx, ctx, {
        action: "allocation.publish",
        entityType: "allocation_run",
        entityId: runId,
        campaignId,
        details: { seq: run.seq, supersededRunId: current?.id ?? null, listsAllocated: lists, changeRequestsConsumed: consumed.count, notifications: notifications.created, diff: run.diffSummary ? presentRun(run).diff : null },
      });
      return { ...presentRun({ ...run, status: "PUBLISHED", publishedAt: now, publishedBy: ctx.principal.actorLabel }), listsAllocated: lists, changeRequestsConsumed: consumed.count, notificationsCreated: notifications.created };
    },
    { timeout: 120_000, maxWait: 10_000 },
  );
}
