// Starts one real PostgreSQL and one real Redis for the whole integration run (or uses
// DATABASE_URL / REDIS_URL when set), migrates a template database that each test file clones,
// and hands the URLs to the tests through vitest's `provide`.
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { applyMigrations } from "../../src/db/migrate.ts";
import { createLogger } from "../../src/logger.ts";
import { startLocalPostgres, startLocalRedis } from "../../src/runtime/local-services.ts";

declare module "vitest" {
  export interface ProvidedContext {
    templateDatabaseUrl: string;
    redisUrl: string;
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export const TEMPLATE_DB = "homeward_template";

export default async function setup(project: TestProject) {
  const log = createLogger(process.env.TEST_LOG_LEVEL ?? "warn", { process: "test-setup" });
  const stops: (() => Promise<void>)[] = [];
  let dataDir: string | undefined;

  let baseUrl = process.env.DATABASE_URL;
  let redisUrl = process.env.REDIS_URL;
  if (!baseUrl || !redisUrl) dataDir = mkdtempSync(path.join(os.tmpdir(), "homeward-test-"));
  if (!baseUrl) {
    const handle = await startLocalPostgres({ dataDir: path.join(dataDir!, "postgres"), port: await freePort(), log, fast: true, database: "postgres" });
    stops.push(handle.stop);
    baseUrl = handle.url;
  }
  if (!redisUrl) {
    const handle = await startLocalRedis({ dataDir: path.join(dataDir!, "redis"), port: await freePort(), log, appendOnly: false });
    stops.push(handle.stop);
    redisUrl = handle.url;
  }

  const templateUrl = new URL(baseUrl);
  templateUrl.pathname = `/${TEMPLATE_DB}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DB} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${TEMPLATE_DB}`);
  await admin.end();
  await applyMigrations(templateUrl.toString());

  project.provide("templateDatabaseUrl", templateUrl.toString());
  project.provide("redisUrl", redisUrl);

  return async () => {
    for (const stop of stops.reverse()) await stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  };
}
