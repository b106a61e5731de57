// `npm start`: local PostgreSQL and Redis when no URLs are configured, migrations, the HTTP API in
// this process and the queue workers in a child process. SIGINT/SIGTERM stop everything in order.
import { fork, type ChildProcess } from "node:child_process";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { serve } from "@hono/node-server";
import { Redis } from "ioredis";
import { createApp } from "./app.ts";
import { parseConfig } from "./config.ts";
import { applyMigrations } from "./db/migrate.ts";
import { createPrismaClient } from "./db/node-client.ts";
import { createLogger } from "./logger.ts";
import { createJobProducer, redisConnectionOptions } from "./queue/producer.ts";
import { withDevSecrets } from "./runtime/dev-secrets.ts";
import { createMetrics } from "./runtime/metrics.ts";
import { createQueueDashboard } from "./runtime/queue-dashboard.ts";
import { resolveServices } from "./runtime/services.ts";
import { startTotalsVersionListener } from "./services/totals/version-feed.ts";

const startedAt = performance.now();
const config = withDevSecrets(parseConfig(process.env));
const log = createLogger(config.LOG_LEVEL, { process: "api" });
const services = await resolveServices(config, log);
const migrations = await applyMigrations(services.databaseUrl);
if (migrations.applied.length) log.info({ applied: migrations.applied }, "migrations applied");

const db = createPrismaClient(services.databaseUrl, 20);
// Cached totals are served by the versions PostgreSQL pushes (LISTEN/NOTIFY), not a read per request.
const totalsVersions = startTotalsVersionListener(db, services.databaseUrl, log);
const jobs = createJobProducer(services.redisUrl);
const metrics = createMetrics(jobs.queues);
const redisProbe = new Redis(redisConnectionOptions(services.redisUrl, "producer"));
redisProbe.on("error", () => undefined); // reported by /readyz

const require = createRequire(import.meta.url);
const swaggerDir = path.dirname(require.resolve("swagger-ui-dist/package.json"));
const docsTypes: Record<string, string> = { ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".png": "image/png" };

const app = createApp({
  config,
  log,
  db: () => db,
  jobs,
  metrics,
  readiness: {
    postgres: async () => {
      await db.$queryRaw`SELECT 1`;
    },
    redis: async () => {
      if ((await redisProbe.ping()) !== "PONG") throw new Error("no PONG");
    },
  },
  docsAsset: async (file) => {
    const type = docsTypes[path.extname(file)];
    if (!type) return undefined;
    try {
      return new Response(await readFile(path.join(swaggerDir, path.basename(file))), { headers: { "content-type": type, "cache-control": "public, max-age=86400" } });
    } catch {
      return undefined;
    }
  },
  mounts: [createQueueDashboard(Object.values(jobs.queues))],
});

const server = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST });
server.once("listening", () => {
  log.info({ url: `http://${config.HOST}:${config.PORT}`, startupMs: Math.round(performance.now() - startedAt) }, "homeward API listening");
});

let workers: ChildProcess | undefined;
let stopping = false;
function startWorkers() {
  workers = fork(path.resolve(import.meta.dirname, "../workers/main.ts"), [], {
    execArgv: ["--import", "tsx"],
    env: { ...process.env, DATABASE_URL: services.databaseUrl, REDIS_URL: services.redisUrl },
  });
  workers.on("exit", (code, signal) => {
    if (stopping) return;
    log.error({ code, signal }, "worker process exited; restarting in 2 s");
    setTimeout(startWorkers, 2_000);
  });
}
if (config.START_WORKERS) startWorkers();

async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, "shutting down");
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (workers && workers.exitCode === null) {
    const exited = new Promise((resolve) => workers!.once("exit", resolve));
    workers.kill("SIGTERM");
    await exited;
  }
  await jobs.close();
  await totalsVersions.close();
  redisProbe.disconnect();
  await db.$disconnect();
  await services.stop();
  log.info("stopped");
  process.exit(0);
}
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));
