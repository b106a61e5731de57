// Wage-case jobs.
import { escalateOverdueWageCases } from "../../src/services/wages/escalation.ts";
import type { ProcessorDeps } from "./types.ts";

/** Hourly: escalate overdue cases once each, with notices to their district and the city. */
export async function escalateOverdue(deps: ProcessorDeps) {
  return escalateOverdueWageCases({ db: deps.db, log: deps.log, pii: deps.pii });
}
