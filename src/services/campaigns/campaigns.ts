// Campaigns belong to a city union; every organisation in that city's tree can read them, only
// the city union's staff change them.
import { rootOrgId } from "../../auth/principal.ts";
import { AppError, notFound } from "../../errors.ts";
import { isUniqueViolation } from "../../db/types.ts";
import { recordAudit } from "../audit.ts";
import type { ServiceContext } from "../context.ts";
import { dateFromDb, dateToDb } from "../dates.ts";

type CampaignRow = {
  id: string;
  cityOrgId: string;
  name: string;
  year: number;
  originRegionCode: string;
  holidayDate: Date;
  departureStart: Date;
  departureEnd: Date;
  paidBeforeDate: Date;
  status: "DRAFT" | "OPEN" | "CLOSED";
  createdAt: Date;
  updatedAt: Date;
};

export function presentCampaign(row: CampaignRow) {
  return {
    id: row.id,
    cityOrgId: row.cityOrgId,
    name: row.name,
    year: row.year,
    originRegionCode: row.originRegionCode,
    holidayDate: dateFromDb(row.holidayDate),
    departureWindow: { start: dateFromDb(row.departureStart), end: dateFromDb(row.departureEnd) },
    paidBeforeDate: dateFromDb(row.paidBeforeDate),
    status: row.status,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export interface CampaignInput {
  name: string;
  year: number;
  originRegionCode: string;
  holidayDate: string;
  departureWindow: { start: string; end: string };
  paidBeforeDate: string;
  status?: "DRAFT" | "OPEN" | "CLOSED";
}

function assertDates(input: Pick<CampaignInput, "holidayDate" | "departureWindow" | "paidBeforeDate">) {
  const { start, end } = input.departureWindow;
  const problems: { path: string; code: string; message: { zh: string; en: string } }[] = [];
  if (end < start) problems.push({ path: "body.departureWindow.end", code: "WINDOW_REVERSED", message: { zh: "返乡结束日期早于开始日期", en: "The departure window ends before it starts" } });
  if (start > input.holidayDate) problems.push({ path: "body.departureWindow.start", code: "WINDOW_AFTER_HOLIDAY", message: { zh: "返乡窗口应在春节之前开始", en: "The departure window must start before the holiday" } });
  if (input.paidBeforeDate > end) problems.push({ path: "body.paidBeforeDate", code: "PAID_BEFORE_AFTER_WINDOW", message: { zh: "清欠截止日期应不晚于返乡结束日期", en: "Wages must be due no later than the end of the departure window" } });
  if (problems.length) throw new AppError("VALIDATION_FAILED", { errors: problems });
}

export async function createCampaign(ctx: ServiceContext, input: CampaignInput) {
  assertDates(input);
  try {
    return await ctx.db.$transaction(async (tx) => {
      const row = await tx.campaign.create({
        data: {
          cityOrgId: ctx.principal.orgId,
          name: input.name,
          year: input.year,
          originRegionCode: input.originRegionCode,
          holidayDate: dateToDb(input.holidayDate),
          departureStart: dateToDb(input.departureWindow.start),
          departureEnd: dateToDb(input.departureWindow.end),
          paidBeforeDate: dateToDb(input.paidBeforeDate),
          status: input.status ?? "OPEN",
        },
      });
      await recordAudit(tx, ctx, { action: "campaign.create", entityType: "campaign", entityId: row.id, campaignId: row.id, details: { name: row.name } });
      return presentCampaign(row);
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new AppError("CONFLICT", { code: "CAMPAIGN_NAME_TAKEN", message: { zh: "已有同名活动", en: "A campaign with this name already exists" } });
    }
    throw error;
  }
}

export async function listCampaigns(ctx: ServiceContext) {
  const rows = await ctx.db.campaign.findMany({ where: { cityOrgId: rootOrgId(ctx.principal) }, orderBy: { departureStart: "desc" } });
  return rows.map(presentCampaign);
}

/** The campaign if it belongs to the caller's city; 404 otherwise. */
export async function getCampaign(ctx: ServiceContext, id: string) {
  const row = await ctx.db.campaign.findUnique({ where: { id } });
  if (!row || row.cityOrgId !== rootOrgId(ctx.principal)) throw notFound();
  return presentCampaign(row);
}

export async function updateCampaign(ctx: ServiceContext, id: string, patch: Partial<CampaignInput>) {
  const current = await getCampaign(ctx, id);
  const merged = {
    holidayDate: patch.holidayDate ?? current.holidayDate,
    departureWindow: patch.departureWindow ?? current.departureWindow,
    paidBeforeDate: patch.paidBeforeDate ?? current.paidBeforeDate,
  };
  assertDates(merged);
  return ctx.db.$transaction(async (tx) => {
    const row = await tx.campaign.update({
      where: { id },
      data: {
        name: patch.name,
        year: patch.year,
        originRegionCode: patch.originRegionCode,
        holidayDate: dateToDb(merged.holidayDate),
        departureStart: dateToDb(merged.departureWindow.start),
        departureEnd: dateToDb(merged.departureWindow.end),
        paidBeforeDate: dateToDb(merged.paidBeforeDate),
        status: patch.status,
      },
    });
    await recordAudit(tx, ctx, { action: "campaign.update", entityType: "campaign", entityId: id, campaignId: id, details: { fields: Object.keys(patch) } });
    return presentCampaign(row);
  });
}
