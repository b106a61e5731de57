// The life of a wage-arrears case as one explicit transition table, and the rules for recording the
// money recovered. RECOVERED and PARTIALLY_RECOVERED are never picked by hand: they follow from a
// recorded payment, so a case's status always agrees with the payments that the figures add up.
import type { LocalisedMessage } from "../errors.ts";
import { toYuanDecimal, type Fen } from "./money.ts";
import { HANDLING_ORG_LABELS, TRANSFER_TARGETS, type HandlingOrg } from "./vocabulary.ts";

export const WAGE_CASE_STATUSES = [
  "REGISTERED",
  "ACCEPTED",
  "INVESTIGATING",
  "MEDIATING",
  "TRANSFERRED",
  "PARTIALLY_RECOVERED",
  "RECOVERED",
  "CLOSED",
  "REJECTED",
] as const;
export type WageCaseStatus = (typeof WAGE_CASE_STATUSES)[number];

export const WAGE_CASE_STATUS_LABELS: Readonly<Record<WageCaseStatus, LocalisedMessage>> = {
  REGISTERED: { zh: "已登记", en: "Registered" },
  ACCEPTED: { zh: "已受理", en: "Accepted" },
  INVESTIGATING: { zh: "调查核实中", en: "Investigating" },
  MEDIATING: { zh: "调解中", en: "Mediating" },
  TRANSFERRED: { zh: "已移交", en: "Transferred" },
  PARTIALLY_RECOVERED: { zh: "部分追回", en: "Partially recovered" },
  RECOVERED: { zh: "已全部追回", en: "Recovered" },
  CLOSED: { zh: "已结案", en: "Closed" },
  REJECTED: { zh: "不予处理", en: "Rejected" },
};

/** Every move a case can make. Why each edge exists is noted beside it. */
export const WAGE_CASE_TRANSITIONS = {
  // Accepted when it is wage arrears the union can act on; otherwise refused with a reason
  // (not arrears, a duplicate, outside the city).
  REGISTERED: ["ACCEPTED", "REJECTED"],
  // Facts unclear → investigate; facts clear and the employer reachable → mediate at once; clearly
  // for labour inspection, arbitration or a court → transfer at once. Rejection is still possible
  // when a duplicate or a non-wage dispute shows up only after acceptance.
  ACCEPTED: ["INVESTIGATING", "MEDIATING", "TRANSFERRED", "REJECTED"],
  // The last state where a case may be rejected: the check can show the claim unfounded
  // (经核查不属实). Employers often pay as soon as they are checked, so payment can come straight away.
  INVESTIGATING: ["MEDIATING", "TRANSFERRED", "PARTIALLY_RECOVERED", "RECOVERED", "REJECTED"],
  // Mediation can bring out disputed facts (back to investigation), fail (transfer), or end with the
  // employer paying — directly, without any transfer.
  MEDIATING: ["INVESTIGATING", "TRANSFERRED", "PARTIALLY_RECOVERED", "RECOVERED"],
  // The other body may send the case back (investigation) or entrust mediation to the union
  // (诉调对接 / 裁调对接); payment follows its order or judgment. The union may close its own follow-up
  // while a court keeps the case for months (reason required).
  TRANSFERRED: ["INVESTIGATING", "MEDIATING", "PARTIALLY_RECOVERED", "RECOVERED", "CLOSED"],
  // The rest is paid later, pursued again by mediation or transfer, or given up with a reason
  // (employer insolvent, workers settled for less).
  PARTIALLY_RECOVERED: ["MEDIATING", "TRANSFERRED", "RECOVERED", "CLOSED"],
  // Closed after the follow-up visit (回访) confirms the workers have the money.
  RECOVERED: ["CLOSED"],
  CLOSED: [],
  REJECTED: [],
} as const satisfies Readonly<Record<WageCaseStatus, readonly WageCaseStatus[]>>;

/** Statuses entered only by recording a payment, never by a hand-made transition. */
export const STATUSES_SET_BY_RECOVERY: readonly WageCaseStatus[] = ["PARTIALLY_RECOVERED", "RECOVERED"];

/** Cases still needing an officer: listed, aged, and checked for overdue. */
export const OPEN_STATUSES: readonly WageCaseStatus[] = WAGE_CASE_STATUSES.filter((s) => s !== "CLOSED" && s !== "REJECTED");

/** Open cases whose workers still wait for money: the resolution target and the travel flag apply. */
export const AWAITING_PAYMENT_STATUSES: readonly WageCaseStatus[] = OPEN_STATUSES.filter((s) => s !== "RECOVERED");

export function isOpen(status: WageCaseStatus): boolean {
  return OPEN_STATUSES.includes(status);
}

function edgesFrom(status: WageCaseStatus): readonly WageCaseStatus[] {
  return WAGE_CASE_TRANSITIONS[status];
}

/** The statuses an officer may move a case to by hand. */
export function allowedTransitions(status: WageCaseStatus): WageCaseStatus[] {
  return edgesFrom(status).filter((to) => !STATUSES_SET_BY_RECOVERY.includes(to));
}

/** Payments can be recorded while the case is being worked, i.e. wherever full recovery is a next step. */
export function canRecordRecovery(status: WageCaseStatus): boolean {
  return edgesFrom(status).includes("RECOVERED");
}

/** Rejecting, and closing without having recovered everything, must be explained. */
export function isReasonRequired(from: WageCaseStatus, to: WageCaseStatus): boolean {
  return to === "REJECTED" || (to === "CLOSED" && from !== "RECOVERED");
}

export type TransitionErrorCode =
  | "WAGE_CASE_INVALID_TRANSITION"
  | "WAGE_CASE_STATUS_SET_BY_RECOVERY"
  | "WAGE_CASE_REASON_REQUIRED"
  | "WAGE_CASE_TRANSFER_TARGET_REQUIRED";

export type TransitionCheck =
  | { ok: true }
  | { ok: false; code: TransitionErrorCode; allowed: WageCaseStatus[]; message: LocalisedMessage };

export interface TransitionDetails {
  reason?: string | null;
  /** Who takes the case over; required when moving to TRANSFERRED. */
  transferTo?: HandlingOrg | null;
}

function labels(statuses: readonly WageCaseStatus[], language: keyof LocalisedMessage): string {
  if (statuses.length === 0) return language === "zh" ? "无（已终结）" : "none (final)";
  return statuses.map((s) => WAGE_CASE_STATUS_LABELS[s][language]).join(language === "zh" ? "、" : ", ");
}

/** Whether `from` → `to` is allowed with these details; a refusal lists the statuses that are. */
export function checkTransition(from: WageCaseStatus, to: WageCaseStatus, details: TransitionDetails = {}): TransitionCheck {
  const allowed = allowedTransitions(from);
  const fromLabel = WAGE_CASE_STATUS_LABELS[from];
  const toLabel = WAGE_CASE_STATUS_LABELS[to];
  if (edgesFrom(from).includes(to) && STATUSES_SET_BY_RECOVERY.includes(to)) {
    return {
      ok: false,
      code: "WAGE_CASE_STATUS_SET_BY_RECOVERY",
      allowed,
      message: {
        zh: `“${toLabel.zh}”由登记追回款项自动确定，请记录款项而不是直接变更状态`,
        en: `"${toLabel.en}" follows from recording a payment; record the payment instead`,
      },
    };
  }
  if (!allowed.includes(to)) {
    return {
      ok: false,
      code: "WAGE_CASE_INVALID_TRANSITION",
      allowed,
      message: {
        zh: `案件不能从“${fromLabel.zh}”变为“${toLabel.zh}”；可选：${labels(allowed, "zh")}`,
        en: `A case cannot go from ${fromLabel.en} to ${toLabel.en}; allowed: ${labels(allowed, "en")}`,
      },
    };
  }
  if (isReasonRequired(from, to) && !details.reason?.trim()) {
    return {
      ok: false,
      code: "WAGE_CASE_REASON_REQUIRED",
      allowed,
      message: { zh: `变为“${toLabel.zh}”须填写理由`, en: `Moving to ${toLabel.en} needs a reason` },
    };
  }
  if (to === "TRANSFERRED" && !TRANSFER_TARGETS.some((target) => target === details.transferTo)) {
    return {
      ok: false,
      code: "WAGE_CASE_TRANSFER_TARGET_REQUIRED",
      allowed,
      message: {
        zh: `移交须指明接收单位：${TRANSFER_TARGETS.map((t) => HANDLING_ORG_LABELS[t].zh).join("、")}`,
        en: `A transfer must name who takes the case: ${TRANSFER_TARGETS.map((t) => HANDLING_ORG_LABELS[t].en).join(", ")}`,
      },
    };
  }
  return { ok: true };
}

export type RecoveryErrorCode =
  | "WAGE_RECOVERY_NOT_ALLOWED_IN_STATUS"
  | "WAGE_RECOVERY_AMOUNT_NOT_POSITIVE"
  | "WAGE_OVER_RECOVERY"
  | "WAGE_OVER_RECOVERY_REASON_REQUIRED"
  | "WAGE_RECOVERY_WORKERS_OUT_OF_RANGE"
  | "WAGE_RECOVERY_MIGRANT_WORKERS_OUT_OF_RANGE";

export interface RecoveryError {
  code: RecoveryErrorCode;
  message: LocalisedMessage;
}

export interface RecoveryInput {
  status: WageCaseStatus;
  owedFen: Fen;
  /** Sum of the payments already recorded on the case. */
  recoveredSoFarFen: Fen;
  amountFen: Fen;
  /** Set knowingly when the payment takes the total above what was owed (e.g. compensation added). */
  overRecovery: boolean;
  overRecoveryReason?: string | null;
  workersPaid: number;
  migrantWorkersPaid: number;
  caseWorkers: { count: number; migrantCount: number };
}

export type RecoveryCheck =
  | {
      ok: true;
      recoveredTotalFen: Fen;
      /** What is still owed after this payment; 0 once everything is paid. */
      outstandingFen: Fen;
      /** How far the total exceeds the amount owed; 0 unless over-recovery was flagged. */
      overRecoveredFen: Fen;
      /** The status the case takes with this payment (the service applies it if it differs). */
      nextStatus: "RECOVERED" | "PARTIALLY_RECOVERED";
    }
  | { ok: false; errors: RecoveryError[] };

/** Every rule a payment must meet; all failures are reported together. */
export function checkRecovery(input: RecoveryInput): RecoveryCheck {
  const errors: RecoveryError[] = [];
  const recoveredTotalFen = input.recoveredSoFarFen + input.amountFen;
  const overRecoveredFen = recoveredTotalFen > input.owedFen ? recoveredTotalFen - input.owedFen : 0n;
  const statusLabel = WAGE_CASE_STATUS_LABELS[input.status];

  if (!canRecordRecovery(input.status)) {
    errors.push({
      code: "WAGE_RECOVERY_NOT_ALLOWED_IN_STATUS",
      message: {
        zh: `案件处于“${statusLabel.zh}”状态，不能记录追回款项`,
        en: `No payment can be recorded on a case that is ${statusLabel.en}`,
      },
    });
  }
  if (input.amountFen <= 0n) {
    errors.push({ code: "WAGE_RECOVERY_AMOUNT_NOT_POSITIVE", message: { zh: "追回金额必须大于零", en: "The amount must be more than zero" } });
  }
  if (overRecoveredFen > 0n && !input.overRecovery) {
    errors.push({
      code: "WAGE_OVER_RECOVERY",
      message: {
        zh: `追回总额将超出欠薪金额 ${toYuanDecimal(overRecoveredFen)} 元；如确属超额（如含赔偿金），请勾选超额追回并说明理由`,
        en: `The total would exceed the amount owed by ${toYuanDecimal(overRecoveredFen)} yuan; flag the over-recovery and give a reason if that is right`,
      },
    });
  }
  if (overRecoveredFen > 0n && input.overRecovery && !input.overRecoveryReason?.trim()) {
    errors.push({ code: "WAGE_OVER_RECOVERY_REASON_REQUIRED", message: { zh: "超额追回须说明理由", en: "An over-recovery needs a reason" } });
  }
  const { count, migrantCount } = input.caseWorkers;
  if (!Number.isInteger(input.workersPaid) || input.workersPaid < 1 || input.workersPaid > count) {
    errors.push({
      code: "WAGE_RECOVERY_WORKERS_OUT_OF_RANGE",
      message: {
        zh: `获付职工人数应在 1 至 ${count}（本案涉及人数）之间`,
        en: `Workers paid must be between 1 and ${count}, the workers in the case`,
      },
    });
  }
  const migrantLimit = Math.min(input.workersPaid, migrantCount);
  if (!Number.isInteger(input.migrantWorkersPaid) || input.migrantWorkersPaid < 0 || input.migrantWorkersPaid > migrantLimit) {
    errors.push({
      code: "WAGE_RECOVERY_MIGRANT_WORKERS_OUT_OF_RANGE",
      message: {
        zh: `其中农民工人数不能超过获付职工人数，也不能超过本案农民工人数（${migrantCount}）`,
        en: `Migrant workers paid cannot exceed the workers paid nor the case's ${migrantCount} migrant workers`,
      },
    });
  }

  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    recoveredTotalFen,
    outstandingFen: overRecoveredFen > 0n ? 0n : input.owedFen - recoveredTotalFen,
    overRecoveredFen,
    nextStatus: recoveredTotalFen >= input.owedFen ? "RECOVERED" : "PARTIALLY_RECOVERED",
  };
}
