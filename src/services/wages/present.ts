// How a wage case looks in responses and pages: money as exact strings (fen, yuan, 万元), dates as
// YYYY-MM-DD, named workers masked.
import { shanghaiDateOf, type IsoDate } from "../../calendar/iso-date.ts";
import { caseAgeDays, type OverdueReason } from "../../wages/deadlines.ts";
import { formatWanYuan, toYuanDecimal, type Fen } from "../../wages/money.ts";
import {
  allowedTransitions,
  AWAITING_PAYMENT_STATUSES,
  canRecordRecovery,
  isOpen,
  WAGE_CASE_STATUS_LABELS,
  type WageCaseStatus,
} from "../../wages/workflow.ts";
import { WAGE_CASE_EVENT_KIND_LABELS, type WageCaseEventKind } from "../../wages/vocabulary.ts";
import type { Prisma } from "../../db/types.ts";
import { dateFromDb } from "../dates.ts";

export function money(fen: Fen) {
  return { fen: fen.toString(), yuan: toYuanDecimal(fen), wanYuan: formatWanYuan(fen) };
}

export const todayInChina = (now = new Date()): IsoDate => shanghaiDateOf(now);

type CaseRow = Prisma.WageCaseGetPayload<object>;

/** Whether a case is overdue on `today`, from its stored deadlines (the same rule as assessOverdue). */
export function overdueReasons(row: Pick<CaseRow, "status" | "acceptanceDueOn" | "resolutionTargetOn">, today: IsoDate): OverdueReason[] {
  const reasons: OverdueReason[] = [];
  if (row.status === "REGISTERED" && row.acceptanceDueOn && today > dateFromDb(row.acceptanceDueOn)) reasons.push("ACCEPTANCE_DEADLINE_PASSED");
  if (AWAITING_PAYMENT_STATUSES.includes(row.status) && row.resolutionTargetOn && today > dateFromDb(row.resolutionTargetOn)) {
    reasons.push("PAID_BEFORE_DATE_PASSED");
  }
  return reasons;
}

/** Prisma filter: overdue on `today` (true) or not (false). Null deadlines are never overdue. */
export function overdueWhere(overdue: boolean, today: IsoDate): Prisma.WageCaseWhereInput {
  const day = new Date(`${today}T00:00:00.000Z`);
  const awaiting = [...AWAITING_PAYMENT_STATUSES];
  if (overdue) {
    return {
      OR: [
        { status: "REGISTERED", acceptanceDueOn: { lt: day } },
        { status: { in: awaiting }, resolutionTargetOn: { lt: day } },
      ],
    };
  }
  return {
    AND: [
      { OR: [{ status: { not: "REGISTERED" } }, { acceptanceDueOn: null }, { acceptanceDueOn: { gte: day } }] },
      { OR: [{ status: { notIn: awaiting } }, { resolutionTargetOn: null }, { resolutionTargetOn: { gte: day } }] },
    ],
  };
}

export function presentCaseSummary(row: CaseRow, orgName: string, today: IsoDate) {
  const status = row.status as WageCaseStatus;
  const outstanding = row.recoveredFen >= row.amountOwedFen ? 0n : row.amountOwedFen - row.recoveredFen;
  const closedOn = row.closedAt ? shanghaiDateOf(row.closedAt) : null;
  const reasons = overdueReasons(row, today);
  return {
    id: row.id,
    caseNo: row.caseNo,
    campaignId: row.campaignId,
    orgId: row.orgId,
    orgName,
    reportingOrgId: row.reportingOrgId,
    source: row.source,
    employer: {
      name: row.employerName,
      uscc: row.employerUscc,
      address: row.employerAddress,
      districtCode: row.employerDistrictCode,
    },
    constructionProject: row.isConstruction
      ? { name: row.projectName ?? "", generalContractor: { name: row.generalContractor ?? "", uscc: row.generalContractorUscc } }
      : null,
    workers: { count: row.workersAffected, migrantCount: row.migrantWorkersAffected },
    owed: money(row.amountOwedFen),
    period: row.periodStart && row.periodEnd ? { from: dateFromDb(row.periodStart), to: dateFromDb(row.periodEnd) } : null,
    handlingOrg: row.handler,
    status,
    statusLabel: WAGE_CASE_STATUS_LABELS[status],
    allowedTransitions: allowedTransitions(status),
    canRecordRecovery: canRecordRecovery(status),
    rejectReason: row.rejectReason,
    notes: row.summary,
    version: row.version,
    registeredOn: dateFromDb(row.registeredOn),
    acceptanceDueOn: row.acceptanceDueOn ? dateFromDb(row.acceptanceDueOn) : null,
    resolutionTargetOn: row.resolutionTargetOn ? dateFromDb(row.resolutionTargetOn) : null,
    acceptedAt: row.acceptedAt?.toISOString() ?? null,
    closedAt: row.closedAt?.toISOString() ?? null,
    escalatedAt: row.escalatedAt?.toISOString() ?? null,
    ageDays: caseAgeDays(dateFromDb(row.registeredOn), isOpen(status) || !closedOn ? today : closedOn),
    overdue: { overdue: reasons.length > 0, reasons },
    recovered: {
      amount: money(row.recoveredFen),
      migrantAmount: money(row.migrantRecoveredFen),
      outstanding: money(outstanding),
      workersPaid: row.workersPaid,
      migrantWorkersPaid: row.migrantWorkersPaid,
      overRecoveryAllowed: row.overRecoveryAllowed,
    },
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export type WageCaseSummary = ReturnType<typeof presentCaseSummary>;

export function presentWorker(row: Prisma.WageCaseWorkerGetPayload<object>) {
  return {
    id: row.id,
    name: row.name,
    idNumberMasked: row.idMasked,
    mobileMasked: row.mobileMasked,
    isMigrant: row.isMigrant,
    paidAt: row.paidAt?.toISOString() ?? null,
    paymentId: row.paymentId,
  };
}

export function presentEvent(row: Prisma.WageCaseEventGetPayload<object>) {
  const kind = row.type as WageCaseEventKind;
  return {
    id: row.id.toString(),
    at: row.at.toISOString(),
    kind: row.type,
    kindLabel: WAGE_CASE_EVENT_KIND_LABELS[kind] ?? { zh: row.type, en: row.type },
    actor: row.actorLabel,
    actorOrgId: row.actorOrgId,
    fromStatus: row.fromStatus,
    toStatus: row.toStatus,
    note: row.note,
    details: (row.details ?? {}) as Record<string, unknown>,
  };
}

export function presentPayment(row: Prisma.WagePaymentGetPayload<object>) {
  return {
    id: row.id,
    amount: money(row.amountFen),
    paidOn: dateFromDb(row.paidOn),
    workersPaid: row.workersPaid,
    migrantWorkersPaid: row.migrantWorkersPaid,
    migrantAmount: money(row.migrantAmountFen),
    method: row.method,
    overRecovery: row.overRecovery,
    overRecoveryReason: row.overRecoveryReason,
    note: row.note,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
  };
}
