// The Hono environment shared by every route: what middleware puts on the context.
import type { Config } from "../config.ts";
import type { Logger } from "../logger.ts";
import type { Principal } from "../auth/principal.ts";
import type { Db } from "../db/types.ts";
import type { JobProducer } from "../queue/producer.ts";
import type { PiiVault } from "../pii/vault.ts";

export interface AppDeps {
  config: Config;
  log: Logger;
  /** The database for this request (a shared client on Node, a per-request one on Workers). */
  db: (env: unknown) => Db;
  /** Personal-data vault; built from the config's PII keys when not given. */
  pii?: PiiVault;
  /** Enqueues jobs directly (Node only); absent on Workers, where jobs go through the outbox. */
  jobs?: JobProducer;
  /** Readiness probes by name: each resolves when its dependency answers. */
  readiness: Record<string, (probe: { db: Db }) => Promise<void>>;
  /** Tells the other API processes of this host that a key was revoked through this one (Node cluster). */
  apiKeyRevoked?: (keyId: string) => void;
  /** Prometheus exposition (Node only). */
  metrics?: { contentType: string; render: () => Promise<string>; observe: (method: string, route: string, status: number, seconds: number) => void };
  /** Serves the docs page's static files (swagger-ui-dist) where the file system has them. */
  docsAsset?: (file: string) => Promise<Response | undefined>;
  /** Extra sub-apps mounted by the Node entry (e.g. the queue dashboard). */
  mounts?: { path: string; fetch: (request: Request, env?: unknown) => Response | Promise<Response>; access: "CITY_ADMIN" }[];
}

export interface AppEnv {
  Bindings: Record<string, unknown>;
  Variables: {
    requestId: string;
    deps: AppDeps;
    db: Db;
    log: Logger;
    principal?: Principal;
    /** The session id (hash) when the caller is a logged-in person. */
    sessionId?: string;
    csrfToken?: string;
  };
}
