// Money recovered for a case's workers. Payments are serialised per case (row lock), the case's
// running sums are updated in the same transaction, the status follows from checkRecovery, and an
// over-recovery is refused unless flagged, with the flag audited. When named workers are paid and
// the officer asks for it, the "工资已追回" SMS is queued through the outbox in the same transaction.
import { z } from "zod";
import { AppError, type FieldProblem } from "../../errors.ts";
import { enqueueViaOutbox } from "../../queue/outbox.ts";
import { recordWageRecoverySchema, type RecordWageRecoveryInput } from "../../wages/schemas.ts";
import { checkRecovery, type RecoveryErrorCode, type WageCaseStatus } from "../../wages/workflow.ts";
import { MAX_FEN, parseYuan, toYuanDecimal } from "../../wages/money.ts";
import { recordAudit } from "../audit.ts";
import type { ServiceContext } from "../context.ts";
import { dateToDb } from "../dates.ts";
import { getWageCase } from "./cases.ts";

import { visibleCase } from "./scope.ts";

const positiveOrZeroYuan = z
  .string()
  .max(40)
  .transform((raw, ctx) => {
    const result = parseYuan(raw);
    if (result.ok) return result.fen;
    ctx.addIssue({ code: "custom", message: result.message.en, params: { code: result.code, zh: result.message.zh } });
    return z.NEVER;
  });

/**
 * The request body: the core schema plus the named workers this payment paid, and the amount given
 * either as an exact yuan string (`amountYuan`) or as integer fen (`amountFen`), never a float.
 */
export const recordWageRecoveryBodySchema = z.preprocess(
  (raw, ctx) => {
    if (typeof raw !== "object" || raw === null || !("amountFen" in raw)) return raw;
    const { amountFen, ...rest } = raw as Record<string, unknown>;
    if ("amountYuan" in rest) {
      ctx.addIssue({ code: "custom", path: ["amountFen"], message: "Give amountYuan or amountFen, not both", params: { code: "WAGE_AMOUNT_TWICE", zh: "金额只能以 amountYuan 或 amountFen 之一给出" } });
      return rest;
    }
    if (typeof amountFen !== "number" || !Number.isSafeInteger(amountFen) || amountFen <= 0 || BigInt(amountFen) > MAX_FEN) {
      ctx.addIssue({ code: "custom", path: ["amountFen"], message: "amountFen must be a positive whole number of fen", params: { code: "WAGE_AMOUNT_FEN_NOT_INTEGER", zh: "amountFen 应为正整数（单位：分）" } });
      return { ...rest, amountYuan: "0" };
    }
    return { ...rest, amountYuan: toYuanDecimal(BigInt(amountFen)) };
  },
  z.intersection(
    recordWageRecoverySchema,
    z.object({
      // Read (and turned into amountYuan) by the preprocessing above; listed here for the API document.
      amountFen: z.number().int().positive().optional().describe("Instead of amountYuan: the amount as a whole number of fen"),
      paidWorkerIds: z.array(z.uuid()).max(1000).default([]).describe("The case's named workers (ids from getWageCase) paid by this payment"),
      note: z.string().trim().max(2000).optional().describe("Added to the payment and the timeline"),
      migrantAmountYuan: positiveOrZeroYuan
        .optional()
        .describe("The part paid to migrant workers (row 08(C)); implied when all or none of the workers paid are migrants"),
    }),
  ),
);

export type RecordWageRecoveryBody = RecordWageRecoveryInput & { paidWorkerIds: string[]; note?: string; migrantAmountYuan?: bigint };

/** The migrant workers' share of a payment: given, or implied when all or none of the paid are migrants. */
function migrantShare(input: RecordWageRecoveryBody): bigint {
  const implied = input.migrantWorkersPaid === 0 ? 0n : input.migrantWorkersPaid === input.workersPaid ? input.amountYuan : null;
  const problem = (code: string, zh: string, en: string) =>
    new AppError("VALIDATION_FAILED", { code, errors: [{ path: "body.migrantAmountYuan", code, message: { zh, en } }] });
  if (input.migrantAmountYuan === undefined) {
    if (implied === null) {
      throw problem("WAGE_MIGRANT_AMOUNT_REQUIRED", "获付职工中既有农民工又有其他职工时，须填写其中支付给农民工的金额", "When the workers paid include migrants and others, give the migrant workers' part");
    }
    return implied;
  }
  if (implied !== null && input.migrantAmountYuan !== implied) {
    throw problem("WAGE_MIGRANT_AMOUNT_MISMATCH", `农民工获付金额应为 ${toYuanDecimal(implied)} 元`, `The migrant workers' part must be ${toYuanDecimal(implied)} yuan`);
  }
  if (input.migrantAmountYuan > input.amountYuan) {
    throw problem("WAGE_MIGRANT_AMOUNT_EXCEEDS_PAYMENT", "农民工获付金额不能超过本次追回金额", "The migrant workers' part cannot exceed the payment");
  }
  return input.migrantAmountYuan;
}

const CONFLICT_CODES: readonly RecoveryErrorCode[] = ["WAGE_RECOVERY_NOT_ALLOWED_IN_STATUS", "WAGE_OVER_RECOVERY"];
const FIELD_OF: Record<RecoveryErrorCode, string> = {
  WAGE_RECOVERY_NOT_ALLOWED_IN_STATUS: "status",
  WAGE_RECOVERY_AMOUNT_NOT_POSITIVE: "body.amountYuan",
  WAGE_OVER_RECOVERY: "body.amountYuan",
  WAGE_OVER_RECOVERY_REASON_REQUIRED: "body.overRecoveryReason",
  WAGE_RECOVERY_WORKERS_OUT_OF_RANGE: "body.workersPaid",
  WAGE_RECOVERY_MIGRANT_WORKERS_OUT_OF_RANGE: "body.migrantWorkersPaid",
};

export async function recordWageRecovery(ctx: ServiceContext, id: string, input: RecordWageRecoveryBody) {
  const paidWorkerIds = [...new Set(input.paidWorkerIds)];
  if (input.notifyWorkers && paidWorkerIds.length === 0) {
    throw new AppError("VALIDATION_FAILED", {
      code: "WAGE_NOTIFY_WITHOUT_NAMED_WORKERS",
      errors: [{ path: "body.paidWorkerIds", code: "WAGE_NOTIFY_WITHOUT_NAMED_WORKERS", message: { zh: "发送短信须指明获付的列名职工", en: "Name the paid workers to notify them" } }],
    });
  }
  if (paidWorkerIds.length > input.workersPaid) {
    throw new AppError("VALIDATION_FAILED", {
      errors: [{ path: "body.paidWorkerIds", code: "WAGE_PAID_WORKERS_EXCEED_COUNT", message: { zh: "列名获付职工多于获付职工人数", en: "More named workers than workers paid" } }],
    });
  }
  const migrantAmountFen = migrantShare(input);
  const paymentId = await ctx.db.$transaction(async (tx) => {
    // One payment at a time per case, so the running sums and the over-recovery check are exact.
    await tx.$queryRaw`SELECT id FROM wage_cases WHERE id = ${id}::uuid FOR UPDATE`;
    const { row } = await visibleCase(ctx, tx, id);
    const check = checkRecovery({
      status: row.status as WageCaseStatus,
      owedFen: row.amountOwedFen,
      recoveredSoFarFen: row.recoveredFen,
      amountFen: input.amountYuan,
      overRecovery: input.overRecovery,
      overRecoveryReason: input.overRecoveryReason,
      workersPaid: input.workersPaid,
      migrantWorkersPaid: input.migrantWorkersPaid,
      caseWorkers: { count: row.workersAffected, migrantCount: row.migrantWorkersAffected },
    });
    if (!check.ok) {
      const errors: FieldProblem[] = check.errors.map((error) => ({ path: FIELD_OF[error.code], code: error.code, message: error.message }));
      const first = check.errors.find((error) => CONFLICT_CODES.includes(error.code)) ?? check.errors[0]!;
      throw new AppError(CONFLICT_CODES.includes(first.code) ? "CONFLICT" : "VALIDATION_FAILED", {
        code: first.code,
        message: first.message,
        errors,
        extensions: { owed: toYuanDecimal(row.amountOwedFen), recoveredSoFar: toYuanDecimal(row.recoveredFen) },
      });
    }
    if (paidWorkerIds.length > 0) {
      const known = await tx.wageCaseWorker.count({ where: { caseId: id, id: { in: paidWorkerIds } } });
      if (known !== paidWorkerIds.length) {
        throw new AppError("VALIDATION_FAILED", {
          errors: [{ path: "body.paidWorkerIds", code: "WAGE_UNKNOWN_NAMED_WORKER", message: { zh: "获付职工不是本案的列名职工", en: "A paid worker is not named in this case" } }],
        });
      }
    }
    const overRecoveryUsed = check.overRecoveredFen > 0n;
    const payment = await tx.wagePayment.create({
      data: {
        caseId: id,
        amountFen: input.amountYuan,
        paidOn: dateToDb(input.paidOn),
        workersPaid: input.workersPaid,
        migrantWorkersPaid: input.migrantWorkersPaid,
        migrantAmountFen,
        method: input.method,
        overRecovery: overRecoveryUsed,
        overRecoveryReason: overRecoveryUsed ? (input.overRecoveryReason ?? null) : null,
        note: input.note ?? null,
        createdBy: ctx.principal.actorLabel,
      },
    });
    const from = row.status as WageCaseStatus;
    await tx.wageCase.update({
      where: { id },
      data: {
        recoveredFen: { increment: input.amountYuan },
        migrantRecoveredFen: { increment: migrantAmountFen },
        workersPaid: { increment: input.workersPaid },
        migrantWorkersPaid: { increment: input.migrantWorkersPaid },
        status: check.nextStatus,
        version: { increment: 1 },
        ...(overRecoveryUsed ? { overRecoveryAllowed: true } : {}),
      },
    });
    if (paidWorkerIds.length > 0) {
      await tx.wageCaseWorker.updateMany({ where: { caseId: id, id: { in: paidWorkerIds } }, data: { paidAt: new Date(), paymentId: payment.id } });
    }
    await tx.wageCaseEvent.create({
      data: {
        caseId: id,
        actorLabel: ctx.principal.actorLabel,
        actorOrgId: ctx.principal.orgId,
        type: "RECOVERY_RECORDED",
        fromStatus: from,
        toStatus: check.nextStatus,
        note: input.note ?? null,
        details: {
          paymentId: payment.id,
          amountYuan: toYuanDecimal(input.amountYuan),
          recoveredTotalYuan: toYuanDecimal(check.recoveredTotalFen),
          outstandingYuan: toYuanDecimal(check.outstandingFen),
          workersPaid: input.workersPaid,
          migrantWorkersPaid: input.migrantWorkersPaid,
          ...(overRecoveryUsed ? { overRecoveredYuan: toYuanDecimal(check.overRecoveredFen), overRecoveryReason: input.overRecoveryReason } : {}),
        },
      },
    });
    await recordAudit(tx, ctx, {
      action: overRecoveryUsed ? "wage_case.over_recovery" : "wage_case.recovery",
      entityType: "wage_case",
      entityId: id,
      orgId: row.orgId,
      campaignId: row.campaignId,
      details: {
        caseNo: row.caseNo,
        paymentId: payment.id,
        amountFen: input.amountYuan.toString(),
        migrantAmountFen: migrantAmountFen.toString(),
        recoveredTotalFen: check.recoveredTotalFen.toString(),
        owedFen: row.amountOwedFen.toString(),
        statusFrom: from,
        statusTo: check.nextStatus,
        ...(overRecoveryUsed ? { overRecoveredFen: check.overRecoveredFen.toString(), overRecoveryReason: input.overRecoveryReason } : {}),
        namedWorkersPaid: paidWorkerIds.length,
        notifyWorkers: input.notifyWorkers && paidWorkerIds.length > 0,
      },
    });
    if (input.notifyWorkers && paidWorkerIds.length > 0) {
      await enqueueViaOutbox(tx, "sms.wages-recovered", { caseId: id, paymentId: payment.id });
    }
    return payment.id;
  });
  const wageCase = await getWageCase(ctx, id);
  const payment = wageCase.payments.find((candidate) => candidate.id === paymentId)!;
  return { payment, case: wageCase };
}

