// Authorisation in one place. The rules:
// - an organisation acts on itself and its subtree (path prefix);
// - the city union is the root of its tree, so it sees everything in its campaigns;
// - a transport operator sees only itself and what is assigned to it (checked by the services
//   that own those records through `assertAssignedOperator`);
// - within an organisation, READ_ONLY < STAFF < ADMIN.
import { AppError, notFound } from "../errors.ts";
import { roleRank, rootOrgId, type OrgKind, type Principal, type Role } from "./principal.ts";

export interface Access {
  /** Organisation kinds allowed to call at all. */
  kinds: readonly OrgKind[];
  /** Lowest role allowed. */
  minRole: Role;
}

export const ALL_KINDS: readonly OrgKind[] = ["CITY_UNION", "DISTRICT_UNION", "ENTERPRISE_UNION", "TRANSPORT_OPERATOR"];
export const UNION_KINDS: readonly OrgKind[] = ["CITY_UNION", "DISTRICT_UNION", "ENTERPRISE_UNION"];

export function isAllowed(principal: Principal, access: Access): boolean {
  return access.kinds.includes(principal.orgKind) && roleRank[principal.role] >= roleRank[access.minRole];
}

export function assertAllowed(principal: Principal, access: Access): void {
  if (!isAllowed(principal, access)) {
    throw new AppError("FORBIDDEN", {
      detail: `requires one of [${access.kinds.join(", ")}] with role ≥ ${access.minRole}`,
    });
  }
}

/** True when `targetPath` is the principal's organisation or below it. */
export function inSubtree(principal: Pick<Principal, "orgPath">, targetPath: string): boolean {
  return targetPath.startsWith(principal.orgPath);
}

/**
 * Resources of organisations outside the caller's subtree answer 404, never 403, so that
 * their existence does not leak.
 */
export function assertInSubtree(principal: Principal, targetPath: string | undefined | null): void {
  if (!targetPath || !inSubtree(principal, targetPath)) throw notFound();
}

export function sameCity(principal: Principal, cityOrgId: string): boolean {
  return rootOrgId(principal) === cityOrgId;
}

/** Prisma `where` fragment: organisations in the caller's subtree. */
export function subtreeWhere(principal: Principal): { path: { startsWith: string } } {
  return { path: { startsWith: principal.orgPath } };
}
