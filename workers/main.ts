// The worker process: `npm run workers` (npm start forks it). Thin: config, services, run.
import { parseConfig } from "../src/config.ts";
import { applyMigrations } from "../src/db/migrate.ts";
import { createLogger } from "../src/logger.ts";
import { withDevSecrets } from "../src/runtime/dev-secrets.ts";
import { resolveServices } from "../src/runtime/services.ts";
import { runWorkers } from "./run-workers.ts";
import type { QueueName } from "../src/queue/definitions.ts";

const config = withDevSecrets(parseConfig(process.env));
const log = createLogger(config.LOG_LEVEL, { process: "workers" });
const services = await resolveServices(config, log);
await applyMigrations(services.databaseUrl);
const only = process.env.WORKER_QUEUES?.split(",").filter(Boolean) as QueueName[] | undefined;
const running = await runWorkers({ config, log, databaseUrl: services.databaseUrl, redisUrl: services.redisUrl, queues: only });

let stopping = false;
async function shutdown() {
  if (stopping) return;
  stopping = true;
  await running.stop();
  await services.stop();
  process.exit(0);
}
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => void shutdown());
// Forked by `npm start`: if the parent dies (even by kill -9) the IPC channel closes; stop too.
process.on("disconnect", () => void shutdown());
process.send?.({ type: "ready" });
