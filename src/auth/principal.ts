// Who is calling, as every service sees it. Built by the authentication middleware from an API key
// or a session cookie; services never look at headers.
export type OrgKind = "CITY_UNION" | "DISTRICT_UNION" | "ENTERPRISE_UNION" | "TRANSPORT_OPERATOR";
export type Role = "ADMIN" | "STAFF" | "READ_ONLY";

export interface Principal {
  actorType: "USER" | "API_KEY";
  /** User id or API key id. */
  actorId: string;
  /** Human-readable actor for audit lines (username or key prefix); never a secret. */
  actorLabel: string;
  orgId: string;
  orgKind: OrgKind;
  orgName: string;
  /** Materialised path of the principal's organisation ("/city/district/self/"). */
  orgPath: string;
  role: Role;
}

export const roleRank: Record<Role, number> = { READ_ONLY: 0, STAFF: 1, ADMIN: 2 };

/** The city union at the root of the principal's tree. */
export function rootOrgId(principal: Pick<Principal, "orgPath">): string {
  return principal.orgPath.split("/")[1]!;
}

export function pathIds(path: string): string[] {
  return path.split("/").filter(Boolean);
}
