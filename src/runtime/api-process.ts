// One HTTP API process on Node: its database client, the totals version feed, the job producer,
// metrics and the app, listening on HOST:PORT. `npm start` runs one in its own process, or
// API_PROCESSES of them as cluster workers sharing the port (src/runtime/api-cluster.ts); the
// totals benchmark starts the same thing over its own database (without Redis).
import { readFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { createRequire } from "node:module";
import path from "node:path";
import { serve } from "@hono/node-server";
import { Redis } from "ioredis";
import { createApp } from "../app.ts";
import type { Config } from "../config.ts";
import { createPrismaClient } from "../db/node-client.ts";
import type { Logger } from "../logger.ts";
import { createJobProducer, redisConnectionOptions } from "../queue/producer.ts";
import { forgetApiKey } from "../services/auth/authenticate.ts";
import { startTotalsVersionListener } from "../services/totals/version-feed.ts";
import { apiKeyRevocations, clusterMetrics } from "./api-cluster.ts";
import { createMetrics } from "./metrics.ts";
import { createQueueDashboard } from "./queue-dashboard.ts";

export interface ApiProcess {
  port: number;
  /** Stops accepting, then closes the version feed, the producer and the pool. */
  close(): Promise<void>;
}

const docsTypes: Record<string, string> = { ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".png": "image/png" };

/**
 * Starts the API over `databaseUrl`, with queues on `redisUrl` (without one, producers answer 503
 * QUEUE_UNAVAILABLE and /readyz checks PostgreSQL only). Resolves once it listens.
 */
export async function startApiProcess(
  config: Config,
  log: Logger,
  urls: { databaseUrl: string; redisUrl?: string },
  { poolSize = 20 }: { poolSize?: number } = {},
): Promise<ApiProcess> {
  const db = createPrismaClient(urls.databaseUrl, poolSize);
  // In a cluster, a key revoked through a sibling is forgotten here too (src/runtime/api-cluster.ts).
  const revocations = apiKeyRevocations((keyId) => forgetApiKey(db, keyId));
  // Cached totals are served by the versions PostgreSQL pushes (LISTEN/NOTIFY), not a read per request.
  const totalsVersions = startTotalsVersionListener(db, urls.databaseUrl, log);
  const jobs = urls.redisUrl ? createJobProducer(urls.redisUrl) : undefined;
  const local = createMetrics(jobs?.queues);
  // In a cluster, a scrape answered here reports all the API processes.
  const metrics = { ...local, render: clusterMetrics(local.registry) ?? local.render };
  const redisProbe = urls.redisUrl ? new Redis(redisConnectionOptions(urls.redisUrl, "producer")) : undefined;
  redisProbe?.on("error", () => undefined); // reported by /readyz

  const require = createRequire(import.meta.url);
  const swaggerDir = path.dirname(require.resolve("swagger-ui-dist/package.json"));
  const app = createApp({
    config,
    log,
    db: () => db,
    jobs,
    metrics,
    apiKeyRevoked: revocations.announce,
    readiness: {
      postgres: async () => {
        await db.$queryRaw`SELECT 1`;
      },
      ...(redisProbe && {
        redis: async () => {
          if ((await redisProbe.ping()) !== "PONG") throw new Error("no PONG");
        },
      }),
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
    mounts: jobs ? [createQueueDashboard(Object.values(jobs.queues))] : [],
  });

  const server = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST });
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
  return {
    port: (server.address() as AddressInfo).port,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await jobs?.close();
      await totalsVersions.close();
      redisProbe?.disconnect();
      await db.$disconnect();
    },
  };
}
