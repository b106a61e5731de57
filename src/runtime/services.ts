// Resolves where PostgreSQL and Redis are: the configured URLs, or (when unset) the project's own
// local servers under DATA_DIR, started on demand and stopped by `stop()` when this process
// started or adopted them.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Config } from "../config.ts";
import type { Logger } from "../logger.ts";
import { processAlive, startLocalPostgres, startLocalRedis, type LocalServiceHandle } from "./local-services.ts";

export interface ResolvedServices {
  databaseUrl: string;
  redisUrl: string;
  /** True when this process owns the local servers (and stops them on exit). */
  owner: boolean;
  stop(): Promise<void>;
}

/**
 * One process at a time owns the local servers (starts them, stops them at exit): the first
 * to come. Others that come while it lives (seed:demo next to npm start, a second worker
 * process) are guests: they use the same servers and leave them running. An owner that died
 * (kill -9) leaves a stale file; the next process takes over and adopts the servers it left.
 */
function claimOwnership(dataDir: string): boolean {
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, "owner.pid");
  if (existsSync(file)) {
    const pid = Number(readFileSync(file, "utf8").trim());
    if (pid !== process.pid && processAlive(pid)) return false;
  }
  writeFileSync(file, String(process.pid));
  return true;
}

function releaseOwnership(dataDir: string): void {
  const file = path.join(dataDir, "owner.pid");
  if (existsSync(file) && Number(readFileSync(file, "utf8").trim()) === process.pid) rmSync(file, { force: true });
}

export async function resolveServices(
  config: Config,
  log: Logger,
  needs: { redis: boolean } = { redis: true },
): Promise<ResolvedServices> {
  const dataDir = path.resolve(config.DATA_DIR);
  const started: LocalServiceHandle[] = [];
  const needsLocal = !config.DATABASE_URL || (needs.redis && !config.REDIS_URL);
  const owner = needsLocal && claimOwnership(dataDir);
  try {
    let databaseUrl = config.DATABASE_URL;
    if (!databaseUrl) {
      const handle = await startLocalPostgres({ dataDir: path.join(dataDir, "postgres"), port: config.LOCAL_PG_PORT, log });
      started.push(handle);
      databaseUrl = handle.url;
    }
    let redisUrl = config.REDIS_URL ?? "";
    if (!redisUrl && needs.redis) {
      const handle = await startLocalRedis({ dataDir: path.join(dataDir, "redis"), port: config.LOCAL_REDIS_PORT, log });
      started.push(handle);
      redisUrl = handle.url;
    }
    return {
      databaseUrl,
      redisUrl,
      owner,
      // Reverse order: Redis before PostgreSQL. Guests leave the servers to their owner.
      async stop() {
        if (!owner) return;
        for (const handle of started.reverse()) await handle.stop();
        releaseOwnership(dataDir);
      },
    };
  } catch (error) {
    if (owner) {
      for (const handle of started.reverse()) await handle.stop().catch(() => undefined);
      releaseOwnership(dataDir);
    }
    throw error;
  }
}
