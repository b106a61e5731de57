// Platform-level setup used by the demo seed, tests and administrators' scripts: a city union at
// the root of a tree, organisations under it, people and API keys. No principal: the caller is
// the platform operator.
import type { OrgKind, Role } from "../../auth/principal.ts";
import type { Db } from "../../db/types.ts";
import { recordAudit } from "../audit.ts";
import { generateApiKey, hashPassword } from "../auth/secrets.ts";

export interface OrgRef {
  id: string;
  path: string;
  kind: OrgKind;
  name: string;
}

export async function createOrganisationTree(
  db: Db,
  input: { parent?: OrgRef; kind: OrgKind; name: string; shortName?: string; regionCode: string },
): Promise<OrgRef> {
  const id = crypto.randomUUID();
  const path = `${input.parent?.path ?? "/"}${id}/`;
  const org = await db.organisation.create({
    data: { id, kind: input.kind, name: input.name, shortName: input.shortName ?? null, regionCode: input.regionCode, parentId: input.parent?.id ?? null, path },
    select: { id: true, path: true, kind: true, name: true },
  });
  await recordAudit(db, {}, { action: "organisation.create", entityType: "organisation", entityId: id, orgId: id, details: { name: input.name, kind: input.kind } });
  return org;
}

export async function createUser(
  db: Db,
  input: { orgId: string; username: string; displayName: string; role: Role } & ({ password: string } | { passwordHash: string }),
) {
  return db.user.create({
    data: {
      orgId: input.orgId,
      username: input.username.toLowerCase(),
      displayName: input.displayName,
      passwordHash: "passwordHash" in input ? input.passwordHash : await hashPassword(input.password),
      role: input.role,
    },
    select: { id: true, username: true, role: true, orgId: true },
  });
}

export async function issueApiKey(db: Db, input: { orgId: string; name: string; role: Role }) {
  const secret = generateApiKey();
  const row = await db.apiKey.create({
    data: { orgId: input.orgId, name: input.name, role: input.role, prefix: secret.prefix, keyHash: secret.hash, createdBy: "platform" },
    select: { id: true, prefix: true },
  });
  await recordAudit(db, {}, { action: "api_key.create", entityType: "api_key", entityId: row.id, orgId: input.orgId, details: { prefix: row.prefix, role: input.role } });
  return { id: row.id, prefix: row.prefix, key: secret.key };
}
