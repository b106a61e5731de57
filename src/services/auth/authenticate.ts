// Turns a presented credential into a Principal, or null. Disabled users, revoked or expired keys
// and expired sessions are all simply "not authenticated".
import type { Principal } from "../../auth/principal.ts";
import type { Db } from "../../db/types.ts";
import { looksLikeApiKey, sha256Hex } from "./secrets.ts";

const orgSelect = { id: true, kind: true, name: true, path: true } as const;

export async function authenticateApiKey(db: Db, presented: string): Promise<Principal | null> {
  if (!looksLikeApiKey(presented)) return null;
  const key = await db.apiKey.findUnique({ where: { keyHash: sha256Hex(presented) }, include: { org: { select: orgSelect } } });
  const now = new Date();
  if (!key || key.revokedAt || (key.expiresAt && key.expiresAt <= now)) return null;
  // Last use is informative; write it at most once a minute per key to keep reads cheap.
  if (!key.lastUsedAt || now.getTime() - key.lastUsedAt.getTime() > 60_000) {
    await db.apiKey.update({ where: { id: key.id }, data: { lastUsedAt: now } });
  }
  return {
    actorType: "API_KEY",
    actorId: key.id,
    actorLabel: `key:${key.prefix}`,
    orgId: key.org.id,
    orgKind: key.org.kind,
    orgName: key.org.name,
    orgPath: key.org.path,
    role: key.role,
  };
}

export interface SessionPrincipal {
  principal: Principal;
  sessionId: string;
  csrfToken: string;
  displayName: string;
}

export async function authenticateSession(db: Db, token: string): Promise<SessionPrincipal | null> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
  const sessionId = sha256Hex(token);
  const session = await db.session.findUnique({
    where: { id: sessionId },
    include: { user: { include: { org: { select: orgSelect } } } },
  });
  if (!session || session.expiresAt <= new Date() || session.user.disabledAt) return null;
  const { user } = session;
  return {
    sessionId,
    csrfToken: session.csrfToken,
    displayName: user.displayName,
    principal: {
      actorType: "USER",
      actorId: user.id,
      actorLabel: `user:${user.username}`,
      orgId: user.org.id,
      orgKind: user.org.kind,
      orgName: user.org.name,
      orgPath: user.org.path,
      role: user.role,
    },
  };
}
