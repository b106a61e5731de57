// The figures of an organisation subtree for a campaign: cases by status, the age of open cases,
// overdue cases, and what was recovered — all workers and migrant workers, the two halves of row
// 08(C) of the statistics form. The recovered amounts are summed from the payments themselves and
// checked against the running sums kept on the cases in each payment's transaction.
import { AGEING_BUCKETS, ageingBucket, caseAgeDays, type AgeingBucketKey } from "../../wages/deadlines.ts";
import { OPEN_STATUSES, WAGE_CASE_STATUSES, WAGE_CASE_STATUS_LABELS, type WageCaseStatus } from "../../wages/workflow.ts";
import type { ServiceContext } from "../context.ts";
import { dateFromDb } from "../dates.ts";
import { casesInScopeWhere } from "./cases.ts";
import { money, overdueWhere, todayInChina } from "./present.ts";

export async function getWageFigures(ctx: ServiceContext, filter: { campaignId: string; orgId?: string }) {
  const { where } = await casesInScopeWhere(ctx, ctx.db, filter);
  const today = todayInChina();
  const [byStatus, openCases, overdue, caseSums, paymentSums] = await Promise.all([
    ctx.db.wageCase.groupBy({ by: ["status"], where, _count: { _all: true } }),
    ctx.db.wageCase.findMany({ where: { AND: [where, { status: { in: [...OPEN_STATUSES] } }] }, select: { registeredOn: true } }),
    ctx.db.wageCase.count({ where: { AND: [where, overdueWhere(true, today)] } }),
    ctx.db.wageCase.aggregate({
      where,
      _count: { _all: true },
      _sum: {
        amountOwedFen: true,
        workersAffected: true,
        migrantWorkersAffected: true,
        recoveredFen: true,
        migrantRecoveredFen: true,
        workersPaid: true,
        migrantWorkersPaid: true,
      },
    }),
    ctx.db.wagePayment.aggregate({
      where: { wageCase: where },
      _count: { _all: true },
      _sum: { amountFen: true, migrantAmountFen: true, workersPaid: true, migrantWorkersPaid: true },
    }),
  ]);

  const counts = new Map(byStatus.map((group) => [group.status as WageCaseStatus, group._count._all]));
  const ageing = new Map<AgeingBucketKey, number>(AGEING_BUCKETS.map((bucket) => [bucket.key, 0]));
  for (const wageCase of openCases) {
    const key = ageingBucket(caseAgeDays(dateFromDb(wageCase.registeredOn), today));
    ageing.set(key, (ageing.get(key) ?? 0) + 1);
  }
  const paid = {
    fen: paymentSums._sum.amountFen ?? 0n,
    migrantFen: paymentSums._sum.migrantAmountFen ?? 0n,
    workers: paymentSums._sum.workersPaid ?? 0,
    migrantWorkers: paymentSums._sum.migrantWorkersPaid ?? 0,
  };
  const reconciled =
    paid.fen === (caseSums._sum.recoveredFen ?? 0n) &&
    paid.migrantFen === (caseSums._sum.migrantRecoveredFen ?? 0n) &&
    paid.workers === (caseSums._sum.workersPaid ?? 0) &&
    paid.migrantWorkers === (caseSums._sum.migrantWorkersPaid ?? 0);
  if (!reconciled) ctx.log.error({ filter }, "wage figures: the payments and the cases' running sums disagree");
  return {
    campaignId: filter.campaignId,
    orgId: filter.orgId ?? ctx.principal.orgId,
    asOf: today,
    cases: {
      total: caseSums._count._all,
      open: openCases.length,
      overdue,
      byStatus: WAGE_CASE_STATUSES.map((status) => ({ status, label: WAGE_CASE_STATUS_LABELS[status], count: counts.get(status) ?? 0 })),
      ageing: AGEING_BUCKETS.map((bucket) => ({ bucket: bucket.key, label: bucket.label, count: ageing.get(bucket.key) ?? 0 })),
    },
    owed: {
      amount: money(caseSums._sum.amountOwedFen ?? 0n),
      workers: caseSums._sum.workersAffected ?? 0,
      migrantWorkers: caseSums._sum.migrantWorkersAffected ?? 0,
    },
    recovered: {
      payments: paymentSums._count._all,
      all: { workers: paid.workers, amount: money(paid.fen) },
      migrant: { workers: paid.migrantWorkers, amount: money(paid.migrantFen) },
      /** True when the payments add up exactly to the sums kept on the cases. */
      reconciled,
    },
  };
}
