// recordManualFigure: what the platform does not hold (tickets bought outside it, help centres with
// a ticket window, subsidies agreed with employers), entered by the responsible organisation. It is
// stored beside the computed figures, never over them; every entry writes who/when/before/after to
// the audit log in the same transaction.
import { assertInSubtree } from "../../auth/policy.ts";
import { rootOrgId } from "../../auth/principal.ts";
import { AppError, notFound } from "../../errors.ts";
import { recordAudit } from "../audit.ts";
import type { ServiceContext } from "../context.ts";
import { MANUAL_FIGURES, type ManualFigureCode } from "./definitions.ts";

export interface ManualFigureInput {
  campaignId: string;
  /** Default: the caller's organisation. Any organisation of the caller's subtree. */
  orgId?: string;
  figure: ManualFigureCode;
  /** Exact decimal as a string: whole numbers for 10G/10H, up to two decimals (万元) for 11A. */
  value: string;
  note?: string;
}

const decimalsOf = (figure: ManualFigureCode) => (MANUAL_FIGURES[figure].integer ? 0 : 2);

function checkValue(figure: ManualFigureCode, value: string): void {
  const spec = MANUAL_FIGURES[figure];
  const ok = spec.integer ? /^\d{1,12}$/.test(value) : /^\d{1,12}(\.\d{1,2})?$/.test(value);
  if (!ok) {
    throw new AppError("VALIDATION_FAILED", {
      errors: [
        {
          path: "body.value",
          code: spec.integer ? "MANUAL_FIGURE_NOT_WHOLE" : "MANUAL_FIGURE_NOT_DECIMAL",
          message: spec.integer
            ? { zh: `“${spec.zh}”应为非负整数（${spec.unitZh}）`, en: `${spec.en} must be a whole number ≥ 0` }
            : { zh: `“${spec.zh}”应为非负数，最多两位小数（${spec.unitZh}）`, en: `${spec.en} must be ≥ 0 with at most two decimals (万元)` },
        },
      ],
    });
  }
}

export async function recordManualFigure(ctx: ServiceContext, input: ManualFigureInput) {
  checkValue(input.figure, input.value);
  const orgId = input.orgId ?? ctx.principal.orgId;
  const [campaign, org] = await Promise.all([
    ctx.db.campaign.findUnique({ where: { id: input.campaignId }, select: { id: true, cityOrgId: true } }),
    ctx.db.organisation.findUnique({ where: { id: orgId }, select: { id: true, path: true, kind: true, name: true } }),
  ]);
  if (!campaign || campaign.cityOrgId !== rootOrgId(ctx.principal)) throw notFound({ zh: "未找到该活动", en: "No such campaign" });
  assertInSubtree(ctx.principal, org?.path);
  if (org!.kind === "TRANSPORT_OPERATOR") {
    throw new AppError("VALIDATION_FAILED", {
      errors: [{ path: "body.orgId", code: "MANUAL_FIGURE_NOT_A_UNION", message: { zh: "统计数据由工会填报", en: "Figures are entered by unions" } }],
    });
  }
  return ctx.db.$transaction(async (tx) => {
    const previous = await tx.manualFigure.findUnique({ where: { campaignId_orgId_figure: { campaignId: campaign.id, orgId, figure: input.figure } } });
    const row = await tx.manualFigure.upsert({
      where: { campaignId_orgId_figure: { campaignId: campaign.id, orgId, figure: input.figure } },
      create: { campaignId: campaign.id, orgId, figure: input.figure, value: input.value, note: input.note ?? null, enteredBy: ctx.principal.actorLabel },
      update: { value: input.value, note: input.note ?? null, enteredBy: ctx.principal.actorLabel, enteredAt: new Date() },
    });
    await recordAudit(tx, ctx, {
      action: "totals.manual_figure.record",
      entityType: "manual_figure",
      entityId: row.id,
      orgId,
      campaignId: campaign.id,
      details: { figure: input.figure, line: MANUAL_FIGURES[input.figure].line, before: previous?.value.toFixed(2) ?? null, after: row.value.toFixed(2), note: input.note ?? null },
    });
    return presentManualFigure(row, org!.name, previous ? previous.value.toFixed(decimalsOf(input.figure)) : null);
  });
}

export function presentManualFigure(
  row: { id: string; campaignId: string; orgId: string; figure: string; value: { toString(): string; toFixed(digits: number): string }; note: string | null; enteredBy: string; enteredAt: Date },
  orgName: string,
  previousValue?: string | null,
) {
  const spec = MANUAL_FIGURES[row.figure as ManualFigureCode];
  return {
    id: row.id,
    campaignId: row.campaignId,
    orgId: row.orgId,
    orgName,
    figure: row.figure,
    line: spec?.line ?? row.figure,
    unit: spec?.unitZh ?? "",
    value: row.value.toFixed(spec?.integer ? 0 : 2),
    note: row.note,
    enteredBy: row.enteredBy,
    enteredAt: row.enteredAt.toISOString(),
    ...(previousValue !== undefined ? { previousValue } : {}),
  };
}
