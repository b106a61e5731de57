// `npm start` as a user runs it: local PostgreSQL and Redis under DATA_DIR, the API and the
// worker process; SIGTERM stops everything; a second start reuses the data; a start after
// kill -9 finds the servers left running and adopts them.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { createPrismaClient } from "../../src/db/node-client.ts";
import { issueApiKey } from "../../src/services/identity/bootstrap.ts";
import { freePort } from "../setup/global-setup.ts";

const dataDir = mkdtempSync(path.join(os.tmpdir(), "homeward-start-"));
let ports: { api: number; pg: number; redis: number };
/** Every start, so that a failed assertion does not leave one running. */
const started: ChildProcess[] = [];

function alive(pid: number) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function start(): Promise<{ child: ChildProcess; log: () => string }> {
  ports ??= { api: await freePort(), pg: await freePort(), redis: await freePort() };
  let log = "";
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: String(ports.api), LOCAL_PG_PORT: String(ports.pg), LOCAL_REDIS_PORT: String(ports.redis), LOG_LEVEL: "info", API_PROCESSES: "2" };
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.node.ts"], { env, stdio: ["ignore", "pipe", "pipe"] });
  started.push(child);
  child.stdout!.on("data", (d) => (log += d));
  child.stderr!.on("data", (d) => (log += d));
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const res = await fetch(`http://127.0.0.1:${ports.api}/readyz`);
      if (res.status === 200 && log.includes("workers started")) break;
    } catch {
      // starting
    }
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`start failed:\n${log}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return { child, log: () => log };
}

/** The pids of the API processes (cluster workers) a start's log names. */
const apiPids = (log: string) => [...log.matchAll(/"pid":(\d+)[^\n]*"msg":"API process listening"/g)].map((m) => Number(m[1]));

const serverPids = () => ({
  postgres: Number(readFileSync(path.join(dataDir, "postgres", "postmaster.pid"), "utf8").split("\n")[0]),
  redis: Number(readFileSync(path.join(dataDir, "redis", "redis.pid"), "utf8").trim()),
});

async function databaseUrl() {
  const creds = JSON.parse(readFileSync(path.join(dataDir, "local-credentials.json"), "utf8"));
  return `postgresql://homeward:${encodeURIComponent(creds.postgresPassword)}@127.0.0.1:${ports.pg}/homeward`;
}

afterAll(async () => {
  // Whatever a failed assertion left behind (its API processes leave with their primary).
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  if (existsSync(path.join(dataDir, "redis", "redis.pid")) || existsSync(path.join(dataDir, "postgres", "postmaster.pid"))) {
    try {
      const pids = serverPids();
      for (const pid of [pids.redis, pids.postgres]) if (alive(pid)) process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  rmSync(dataDir, { recursive: true, force: true });
});

describe("npm start", () => {
  it("starts from nothing, stops cleanly on SIGTERM, and reuses its data on the next start", async () => {
    const first = await start();
    expect(first.log()).toContain("initialising a new PostgreSQL cluster");
    // Two API processes share the port (API_PROCESSES=2); SIGTERM stops them too.
    expect(first.log()).toContain('"apiProcesses":2');
    const firstApi = apiPids(first.log());
    expect(firstApi).toHaveLength(2);
    expect(firstApi.every(alive)).toBe(true);
    const client = new pg.Client({ connectionString: await databaseUrl() });
    await client.connect();
    await client.query("INSERT INTO organisations (id, kind, name, region_code, path) VALUES (gen_random_uuid(), 'CITY_UNION', '苏州市总工会', '320500', '/x/')");
    await client.end();

    // A key revoked through one API process stops working in the other at once, though both had it
    // cached (without the relay the other would accept it for up to 5 s more).
    const db = createPrismaClient(await databaseUrl(), 2);
    const orgId = (await db.organisation.findFirstOrThrow({ select: { id: true } })).id;
    const admin = await issueApiKey(db, { orgId, name: "admin", role: "ADMIN" });
    const doomed = await issueApiKey(db, { orgId, name: "doomed", role: "READ_ONLY" });
    await db.$disconnect();
    // A new connection each time: the primary hands connections to the two processes in turn.
    const me = async (key: string) => (await fetch(`http://127.0.0.1:${ports.api}/v1/me`, { headers: { authorization: `Bearer ${key}`, connection: "close" } })).status;
    for (let i = 0; i < 8; i++) expect(await me(doomed.key)).toBe(200);
    const revoke = await fetch(`http://127.0.0.1:${ports.api}/v1/api-keys/${doomed.id}`, { method: "DELETE", headers: { authorization: `Bearer ${admin.key}`, connection: "close" } });
    expect(revoke.status).toBe(200);
    await new Promise((r) => setTimeout(r, 100)); // the relay is one IPC hop through the primary
    const after = [];
    for (let i = 0; i < 8; i++) after.push(await me(doomed.key));
    expect(after).toEqual(Array(8).fill(401));
    // Whichever process answers a scrape, it reports all of them: the 8 answered requests, half in each.
    for (let i = 0; i < 2; i++) {
      const text = await (await fetch(`http://127.0.0.1:${ports.api}/metrics`, { headers: { connection: "close" } })).text();
      const count = (status: number) =>
        Number(new RegExp(`^homeward_http_request_duration_seconds_count\\{[^}]*route="/v1/me"[^}]*status="${status}"[^}]*\\} (\\d+)$`, "m").exec(text)?.[1]);
      expect(count(200)).toBe(8);
    }
    const pids = serverPids();
    const exited = new Promise<number | null>((r) => first.child.once("exit", r));
    first.child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(first.log()).toContain("workers stopped");
    expect(firstApi.some(alive)).toBe(false);
    expect(alive(pids.postgres)).toBe(false);
    expect(alive(pids.redis)).toBe(false);

    const second = await start();
    expect(second.log()).not.toContain("initialising a new PostgreSQL cluster");
    const again = new pg.Client({ connectionString: await databaseUrl() });
    await again.connect();
    expect((await again.query("SELECT name FROM organisations")).rows).toEqual([{ name: "苏州市总工会" }]);
    await again.end();

    // kill -9: the servers outlive the process; the next start adopts them. The API processes
    // leave with their primary (they would hold nothing, but would answer with no owner).
    const before = serverPids();
    const secondApi = apiPids(second.log());
    expect(secondApi).toHaveLength(2);
    second.child.kill("SIGKILL");
    await new Promise((r) => second.child.once("exit", r));
    expect(alive(before.postgres)).toBe(true);
    expect(alive(before.redis)).toBe(true);
    const gone = Date.now() + 10_000;
    while (secondApi.some(alive) && Date.now() < gone) await new Promise((r) => setTimeout(r, 100));
    expect(secondApi.some(alive)).toBe(false);

    const third = await start();
    expect(third.log()).toContain("reusing PostgreSQL left running");
    expect(third.log()).toContain("reusing Redis left running");
    expect(serverPids()).toEqual(before);
    const done = new Promise<number | null>((r) => third.child.once("exit", r));
    third.child.kill("SIGINT");
    expect(await done).toBe(0);
    expect(alive(before.postgres)).toBe(false);
    expect(alive(before.redis)).toBe(false);
  }, 180_000);
});
