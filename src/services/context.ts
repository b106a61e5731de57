// What every service verb receives: the database (or the caller's transaction), who is acting,
// and the request id for audit lines. Services own logic and transactions; routes only map.
import type { Principal } from "../auth/principal.ts";
import type { Db } from "../db/types.ts";
import type { Logger } from "../logger.ts";
import type { PiiVault } from "../pii/vault.ts";

export interface ServiceContext {
  db: Db;
  principal: Principal;
  requestId?: string;
  log: Logger;
  /** Seals, opens and hashes personal data (ID numbers, mobiles). */
  pii: PiiVault;
}

/** For jobs and scripts acting as the platform itself. */
export interface SystemContext {
  db: Db;
  requestId?: string;
  log: Logger;
  pii: PiiVault;
}
