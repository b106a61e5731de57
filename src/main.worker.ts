// Cloudflare Workers entry (wrangler.toml "main"): the same app as Node, with one Prisma client
// per request over Hyperdrive. Nothing here imports BullMQ, ioredis or Node-only modules: jobs
// are written to the outbox and relayed by the Node workers.
import { PrismaPg } from "@prisma/adapter-pg";
import { createApp, type App } from "./app.ts";
import { parseConfig } from "./config.ts";
import type { Db } from "./db/types.ts";
import { PrismaClient } from "./generated/prisma-workerd/client.ts";
import { createLogger } from "./logger.ts";

interface WorkerEnv {
  HYPERDRIVE: { connectionString: string };
  [key: string]: unknown;
}

interface RequestEnv extends WorkerEnv {
  requestDb: Db;
}

let app: App | undefined;

function appFor(env: WorkerEnv): App {
  if (app) return app;
  const config = parseConfig(env);
  const log = createLogger(config.LOG_LEVEL, { runtime: "workerd" });
  app = createApp({
    config,
    log,
    db: (requestEnv) => (requestEnv as RequestEnv).requestDb,
    readiness: {
      postgres: async ({ db }) => void (await db.$queryRaw`SELECT 1`),
    },
  });
  return app;
}

export default {
  async fetch(request: Request, env: WorkerEnv, ctx: { waitUntil(p: Promise<unknown>): void }): Promise<Response> {
    const db = new PrismaClient({ adapter: new PrismaPg({ connectionString: env.HYPERDRIVE.connectionString, max: 1 }) }) as unknown as Db;
    const requestEnv: RequestEnv = { ...env, requestDb: db };
    const application = appFor(env);
    const response = await application.fetch(request, requestEnv, ctx as never);
    ctx.waitUntil(db.$disconnect());
    return response;
  },
};
