// `npm run db:migrate`: applies the pending migrations to DATABASE_URL, or to the project's own
// local PostgreSQL under DATA_DIR when it is unset (started for the run and stopped after it when
// this process started it). `npm start` does the same before it serves.
import { parseConfig } from "../src/config.ts";
import { applyMigrations } from "../src/db/migrate.ts";
import { createLogger } from "../src/logger.ts";
import { resolveServices } from "../src/runtime/services.ts";

const config = parseConfig(process.env);
const log = createLogger(config.LOG_LEVEL, { process: "migrate" });
const services = await resolveServices(config, log, { redis: false });
try {
  const { applied } = await applyMigrations(services.databaseUrl);
  log.info({ applied }, applied.length ? "migrations applied" : "no pending migrations");
} finally {
  await services.stop();
}
