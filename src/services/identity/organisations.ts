// Organisations: the tree every permission follows. Children are created by an admin of the
// parent (or an ancestor); the kind must fit under the parent's kind.
import type { OrgKind } from "../../auth/principal.ts";
import { assertInSubtree, subtreeWhere } from "../../auth/policy.ts";
import { AppError } from "../../errors.ts";
import { recordAudit } from "../audit.ts";
import type { ServiceContext } from "../context.ts";

/** Which kinds may sit directly under which. */
const allowedChildren: Record<OrgKind, readonly OrgKind[]> = {
  CITY_UNION: ["DISTRICT_UNION", "ENTERPRISE_UNION", "TRANSPORT_OPERATOR"],
  DISTRICT_UNION: ["ENTERPRISE_UNION"],
  ENTERPRISE_UNION: [],
  TRANSPORT_OPERATOR: [],
};

export const organisationSelect = {
  id: true,
  kind: true,
  name: true,
  shortName: true,
  regionCode: true,
  parentId: true,
  path: true,
  createdAt: true,
} as const;

export async function listOrganisations(ctx: ServiceContext, filter: { kind?: OrgKind; parentId?: string }) {
  const where = {
    ...subtreeWhere(ctx.principal),
    ...(filter.kind ? { kind: filter.kind } : {}),
    ...(filter.parentId ? { parentId: filter.parentId } : {}),
  };
  return ctx.db.organisation.findMany({ where, select: organisationSelect, orderBy: [{ path: "asc" }] });
}

export async function getOrganisation(ctx: ServiceContext, id: string) {
  const org = await ctx.db.organisation.findUnique({ where: { id }, select: organisationSelect });
  assertInSubtree(ctx.principal, org?.path);
  return org!;
}

export interface CreateOrganisationInput {
  parentId: string;
  kind: OrgKind;
  name: string;
  shortName?: string;
  regionCode: string;
  uscc?: string;
}

export async function createOrganisation(ctx: ServiceContext, input: CreateOrganisationInput) {
  const parent = await ctx.db.organisation.findUnique({ where: { id: input.parentId } });
  assertInSubtree(ctx.principal, parent?.path);
  if (!allowedChildren[parent!.kind].includes(input.kind)) {
    throw new AppError("CONFLICT", {
      code: "ORG_KIND_NOT_ALLOWED_HERE",
      message: { zh: "该类型的组织不能建在此上级组织之下", en: "This kind of organisation cannot sit under that parent" },
      extensions: { allowed: allowedChildren[parent!.kind] },
    });
  }
  return ctx.db.$transaction(async (tx) => {
    const id = crypto.randomUUID();
    const org = await tx.organisation.create({
      data: {
        id,
        kind: input.kind,
        name: input.name,
        shortName: input.shortName ?? null,
        regionCode: input.regionCode,
        uscc: input.uscc ?? null,
        parentId: parent!.id,
        path: `${parent!.path}${id}/`,
      },
      select: organisationSelect,
    });
    await recordAudit(tx, ctx, { action: "organisation.create", entityType: "organisation", entityId: id, orgId: id, details: { name: input.name, kind: input.kind } });
    return org;
  });
}
