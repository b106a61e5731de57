// API keys per organisation: random, shown once, stored as a hash with a visible prefix,
// revocable. An admin manages keys of its organisation and its subtree, and can never mint a key
// with a higher role than its own.
import type { Role } from "../../auth/principal.ts";
import { roleRank } from "../../auth/principal.ts";
import { assertInSubtree } from "../../auth/policy.ts";
import { AppError, notFound } from "../../errors.ts";
import { recordAudit } from "../audit.ts";
import type { ServiceContext } from "../context.ts";
import { generateApiKey } from "../auth/secrets.ts";

export const apiKeySelect = {
  id: true,
  orgId: true,
  name: true,
  prefix: true,
  role: true,
  createdAt: true,
  lastUsedAt: true,
  expiresAt: true,
  revokedAt: true,
} as const;

async function orgInScope(ctx: ServiceContext, orgId: string) {
  const org = await ctx.db.organisation.findUnique({ where: { id: orgId }, select: { id: true, path: true } });
  assertInSubtree(ctx.principal, org?.path);
  return org!;
}

export async function listApiKeys(ctx: ServiceContext, orgId: string) {
  await orgInScope(ctx, orgId);
  return ctx.db.apiKey.findMany({ where: { orgId }, select: apiKeySelect, orderBy: { createdAt: "desc" } });
}

export async function createApiKey(ctx: ServiceContext, input: { orgId: string; name: string; role: Role; expiresAt?: Date }) {
  await orgInScope(ctx, input.orgId);
  if (roleRank[input.role] > roleRank[ctx.principal.role]) {
    throw new AppError("FORBIDDEN", { code: "ROLE_ABOVE_OWN", detail: "cannot create a key with a higher role than your own" });
  }
  const secret = generateApiKey();
  return ctx.db.$transaction(async (tx) => {
    const key = await tx.apiKey.create({
      data: {
        orgId: input.orgId,
        name: input.name,
        role: input.role,
        prefix: secret.prefix,
        keyHash: secret.hash,
        expiresAt: input.expiresAt ?? null,
        createdBy: ctx.principal.actorLabel,
      },
      select: apiKeySelect,
    });
    await recordAudit(tx, ctx, { action: "api_key.create", entityType: "api_key", entityId: key.id, orgId: input.orgId, details: { prefix: key.prefix, role: key.role } });
    return { ...key, key: secret.key };
  });
}

export async function revokeApiKey(ctx: ServiceContext, id: string) {
  const key = await ctx.db.apiKey.findUnique({ where: { id }, include: { org: { select: { path: true } } } });
  if (!key) throw notFound();
  assertInSubtree(ctx.principal, key.org.path);
  if (key.revokedAt) return ctx.db.apiKey.findUniqueOrThrow({ where: { id }, select: apiKeySelect });
  return ctx.db.$transaction(async (tx) => {
    const revoked = await tx.apiKey.update({ where: { id }, data: { revokedAt: new Date() }, select: apiKeySelect });
    await recordAudit(tx, ctx, { action: "api_key.revoke", entityType: "api_key", entityId: id, orgId: key.orgId, details: { prefix: key.prefix } });
    return revoked;
  });
}
