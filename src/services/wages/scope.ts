// Who sees a wage case: it belongs to one organisation (`orgId`), and is visible to that
// organisation and every organisation above it (an enterprise its own, a district its subtree, the
// city all). Everything else answers 404.
import { rootOrgId } from "../../auth/principal.ts";
import { assertInSubtree } from "../../auth/policy.ts";
import type { DbOrTx } from "../../db/types.ts";
import { notFound } from "../../errors.ts";
import type { ServiceContext } from "../context.ts";

export interface ScopeOrg {
  id: string;
  name: string;
  kind: "CITY_UNION" | "DISTRICT_UNION" | "ENTERPRISE_UNION" | "TRANSPORT_OPERATOR";
  path: string;
  parentId: string | null;
  regionCode: string;
}

const orgSelect = { id: true, name: true, kind: true, path: true, parentId: true, regionCode: true } as const;

/** The organisations at or below `pathPrefix`. */
export async function orgsUnder(db: DbOrTx, pathPrefix: string): Promise<ScopeOrg[]> {
  return db.organisation.findMany({ where: { path: { startsWith: pathPrefix } }, select: orgSelect });
}

/** An organisation in the caller's subtree, or 404. */
export async function visibleOrg(ctx: ServiceContext, db: DbOrTx, orgId: string): Promise<ScopeOrg> {
  const org = await db.organisation.findUnique({ where: { id: orgId }, select: orgSelect });
  assertInSubtree(ctx.principal, org?.path);
  return org!;
}

export const caseNotFound = () => notFound({ zh: "未找到该欠薪案件", en: "No such wage case" });

/** The case if it belongs to the caller's subtree; 404 otherwise (also for another city's case). */
export async function visibleCase(ctx: ServiceContext, db: DbOrTx, id: string) {
  const row = await db.wageCase.findUnique({ where: { id } });
  if (!row) throw caseNotFound();
  const org = await db.organisation.findUnique({ where: { id: row.orgId }, select: orgSelect });
  if (!org || !org.path.startsWith(ctx.principal.orgPath)) throw caseNotFound();
  return { row, org };
}

/** A campaign of the caller's city, or 404. */
export async function visibleCampaign(ctx: ServiceContext, db: DbOrTx, campaignId: string) {
  const campaign = await db.campaign.findUnique({ where: { id: campaignId } });
  if (!campaign || campaign.cityOrgId !== rootOrgId(ctx.principal)) {
    throw notFound({ zh: "未找到该活动", en: "No such campaign" });
  }
  return campaign;
}

/** The district union a case is reported to: the nearest DISTRICT_UNION on the org's path, else the org itself. */
export async function districtOf(db: DbOrTx, org: ScopeOrg): Promise<ScopeOrg> {
  if (org.kind === "DISTRICT_UNION" || org.kind === "CITY_UNION") return org;
  const ids = org.path.split("/").filter(Boolean);
  const ancestors = await db.organisation.findMany({ where: { id: { in: ids }, kind: "DISTRICT_UNION" }, select: orgSelect });
  // The deepest district on the path.
  return ancestors.sort((a, b) => b.path.length - a.path.length)[0] ?? org;
}
