// Service contexts for the demo seed, built the way the running server builds them: a principal
// per seeded login (as authenticateSession does for a session) and the PII vault of the
// configuration (withDevSecrets + piiVaultFromConfig), so that what the seed writes the server reads.
import type { Principal } from "../../src/auth/principal.ts";
import type { Config } from "../../src/config.ts";
import type { Db } from "../../src/db/types.ts";
import type { Logger } from "../../src/logger.ts";
import type { PiiVault } from "../../src/pii/vault.ts";
import type { ServiceContext, SystemContext } from "../../src/services/context.ts";
import { userPrincipal } from "../../src/services/auth/authenticate.ts";

export interface DemoEnv {
  db: Db;
  log: Logger;
  pii: PiiVault;
  config: Config;
}

/** The principal of a seeded login, exactly as a session cookie of that user would give it. */
export async function principalOfUser(db: Db, username: string): Promise<Principal> {
  const user = await db.user.findUniqueOrThrow({ where: { username }, include: { org: { select: { id: true, kind: true, name: true, path: true } } } });
  return userPrincipal(user);
}

export async function contextOf(env: DemoEnv, username: string): Promise<ServiceContext> {
  return { db: env.db, principal: await principalOfUser(env.db, username), requestId: `seed-demo:${username}`, log: env.log, pii: env.pii };
}

export function systemContext(env: DemoEnv): SystemContext {
  return { db: env.db, log: env.log, pii: env.pii, requestId: "seed-demo" };
}
