// What a totals request is about: a campaign of the caller's city and an organisation of the
// caller's subtree (default: the caller's own), with its direct children for the breakdown.
import { assertInSubtree } from "../../auth/policy.ts";
import { rootOrgId } from "../../auth/principal.ts";
import { AppError, notFound } from "../../errors.ts";
import type { ServiceContext } from "../context.ts";
import { MODES, type Mode } from "./definitions.ts";

export interface TotalsFilter {
  campaignId: string;
  orgId?: string;
  /** Departure days, inclusive (Asia/Shanghai calendar dates). */
  from?: string;
  to?: string;
  mode?: Mode;
}

export interface OrgSummary {
  id: string;
  name: string;
  kind: string;
  path: string;
}

export interface TotalsScope {
  campaign: { id: string; name: string; year: number; departureStart: string; departureEnd: string };
  org: OrgSummary;
  children: OrgSummary[];
  from: string | null;
  to: string | null;
  mode: Mode | null;
}

const campaignNotFound = () => notFound({ zh: "未找到该活动", en: "No such campaign" });

export function checkFilter(filter: TotalsFilter): void {
  if (filter.from && filter.to && filter.to < filter.from) {
    throw new AppError("VALIDATION_FAILED", {
      errors: [{ path: "query.to", code: "RANGE_REVERSED", message: { zh: "结束日期早于开始日期", en: "The date range ends before it starts" } }],
    });
  }
  if (filter.mode && !MODES.includes(filter.mode)) throw new AppError("VALIDATION_FAILED", { detail: `unknown mode ${filter.mode}` });
}

export async function resolveScope(ctx: ServiceContext, filter: TotalsFilter): Promise<TotalsScope> {
  checkFilter(filter);
  const orgId = filter.orgId ?? ctx.principal.orgId;
  const [campaign, org, children] = await Promise.all([
    ctx.db.campaign.findUnique({ where: { id: filter.campaignId } }),
    ctx.db.organisation.findUnique({ where: { id: orgId }, select: { id: true, name: true, kind: true, path: true } }),
    ctx.db.organisation.findMany({
      where: { parentId: orgId, kind: { not: "TRANSPORT_OPERATOR" } },
      select: { id: true, name: true, kind: true, path: true },
      orderBy: { name: "asc" },
    }),
  ]);
  if (!campaign || campaign.cityOrgId !== rootOrgId(ctx.principal)) throw campaignNotFound();
  assertInSubtree(ctx.principal, org?.path);
  return {
    campaign: {
      id: campaign.id,
      name: campaign.name,
      year: campaign.year,
      departureStart: campaign.departureStart.toISOString().slice(0, 10),
      departureEnd: campaign.departureEnd.toISOString().slice(0, 10),
    },
    org: org!,
    children,
    from: filter.from ?? null,
    to: filter.to ?? null,
    mode: filter.mode ?? null,
  };
}
