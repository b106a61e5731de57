// `npm start`: local PostgreSQL and Redis when no URLs are configured, migrations, the HTTP API
// (in this process, or in API_PROCESSES cluster workers sharing the port) and the queue workers in
// a child process. SIGINT/SIGTERM stop everything in order.
import { fork, type ChildProcess } from "node:child_process";
import path from "node:path";
import { parseConfig } from "./config.ts";
import { applyMigrations } from "./db/migrate.ts";
import { createLogger } from "./logger.ts";
import { apiPoolSize, apiProcessCount, forkApiProcesses, isApiWorker, reportListening, type ApiCluster } from "./runtime/api-cluster.ts";
import { startApiProcess, type ApiProcess } from "./runtime/api-process.ts";
import { withDevSecrets } from "./runtime/dev-secrets.ts";
import { resolveServices } from "./runtime/services.ts";

const startedAt = performance.now();
const config = withDevSecrets(parseConfig(process.env));

if (isApiWorker()) {
  // A cluster worker: the primary resolved the services and passed their URLs.
  const log = createLogger(config.LOG_LEVEL, { process: "api", pid: process.pid });
  const api = await startApiProcess(config, log, { databaseUrl: config.DATABASE_URL!, redisUrl: config.REDIS_URL }, { poolSize: config.API_POOL_SIZE });
  log.info({ port: api.port }, "API process listening");
  reportListening(api.port);
  let closing = false;
  const close = () => {
    if (closing) return;
    closing = true;
    void api.close().finally(() => process.exit(0));
  };
  // SIGTERM from the primary; SIGINT when Ctrl-C reaches the whole process group.
  process.on("SIGTERM", close);
  process.on("SIGINT", close);
} else {
  const log = createLogger(config.LOG_LEVEL, { process: "api" });
  const services = await resolveServices(config, log);
  const migrations = await applyMigrations(services.databaseUrl);
  if (migrations.applied.length) log.info({ applied: migrations.applied }, "migrations applied");

  const urls = { databaseUrl: services.databaseUrl, redisUrl: services.redisUrl };
  const apiProcesses = apiProcessCount(config);
  const poolSize = apiPoolSize(config, apiProcesses);

  let cluster: ApiCluster | undefined;
  let api: ApiProcess | undefined;
  let workers: ChildProcess | undefined;
  let stopping = false;
  const startWorkers = () => {
    if (stopping) return;
    workers = fork(path.resolve(import.meta.dirname, "../workers/main.ts"), [], {
      execArgv: ["--import", "tsx"],
      env: { ...process.env, DATABASE_URL: urls.databaseUrl, REDIS_URL: urls.redisUrl },
    });
    workers.on("exit", (code, signal) => {
      if (stopping) return;
      log.error({ code, signal }, "worker process exited; restarting in 2 s");
      setTimeout(startWorkers, 2_000);
    });
  };
  const shutdown = async (signal: string, exitCode = 0) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "shutting down");
    await (cluster ? cluster.stop() : api?.close());
    if (workers && workers.exitCode === null) {
      const exited = new Promise((resolve) => workers!.once("exit", resolve));
      workers.kill("SIGTERM");
      await exited;
    }
    await services.stop();
    log.info("stopped");
    process.exit(exitCode);
  };
  // Before anything is forked: a signal while the API processes boot still stops the local servers.
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));

  try {
    let port: number;
    if (apiProcesses > 1) {
      cluster = forkApiProcesses(apiProcesses, { ...process.env, DATABASE_URL: urls.databaseUrl, REDIS_URL: urls.redisUrl, API_POOL_SIZE: String(poolSize) }, log);
      port = await cluster.listening;
    } else {
      api = await startApiProcess(config, log, urls, { poolSize });
      port = api.port;
    }
    log.info({ url: `http://${config.HOST}:${port}`, apiProcesses, startupMs: Math.round(performance.now() - startedAt) }, "homeward API listening");
  } catch (error) {
    // Unless a signal is already stopping everything (API processes that got it exit early).
    if (!stopping) {
      log.error({ err: error }, "the API did not start");
      await shutdown("start failed", 1);
    }
  }
  if (config.START_WORKERS) startWorkers();
}
