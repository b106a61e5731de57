// The SMS worker as its own process for the benchmark (the fault run SIGKILLs it): the product's
// runWorkers on the sms queue, configured from the environment like `npm run workers`.
import { parseConfig } from "../../src/config.ts";
import { createLogger } from "../../src/logger.ts";
import { runWorkers } from "../../workers/run-workers.ts";

const config = parseConfig(process.env);
const log = createLogger(config.LOG_LEVEL);
const workers = await runWorkers({
  config,
  log,
  databaseUrl: config.DATABASE_URL!,
  redisUrl: config.REDIS_URL!,
  prefix: process.env.BENCH_QUEUE_PREFIX ?? "homeward",
  queues: ["sms"],
});
process.send?.({ ready: true });
// The benchmark asks for this process's CPU time (to report CPU per message).
process.on("message", (message) => {
  if (message === "cpu") process.send?.({ cpu: process.cpuUsage() });
});
const stop = async () => {
  await workers.stop();
  process.exit(0);
};
process.once("SIGTERM", () => void stop());
process.once("SIGINT", () => void stop());
