// Group-list imports: stream the sealed upload, validate, commit in batches (see
// src/services/intake/imports.ts). A retried job resumes after its last committed batch.
import pg from "pg";
import { runImport } from "../../src/services/intake/imports.ts";
import type { ProcessorDeps } from "./types.ts";

// Batches are committed over plain pg (one small pool per database, idle connections closed).
const pools = new Map<string, pg.Pool>();
function poolFor(deps: ProcessorDeps): pg.Pool {
  let pool = pools.get(deps.databaseUrl);
  if (!pool) {
    pool = new pg.Pool({ connectionString: deps.databaseUrl, max: 2, idleTimeoutMillis: 1_000, allowExitOnIdle: true });
    pool.on("error", (error) => deps.log.warn({ err: error }, "intake pool error"));
    pools.set(deps.databaseUrl, pool);
  }
  return pool;
}

export async function importTicketListFile(deps: ProcessorDeps, payload: { importId: string }) {
  const job = await runImport({ db: deps.db, log: deps.log, pii: deps.pii }, payload.importId, { pool: poolFor(deps) });
  return job ? { status: job.status, rowsDone: job.rowsDone, rowsCommitted: job.rowsCommitted, errorCount: job.errorCount } : { status: "missing" };
}
