// SMS pipeline benchmark: `npm run bench:sms [-- --messages N --rate R --workers K]` (defaults
// 100,000, 500/s and 2). Everything is local: its own PostgreSQL and Redis (AOF on) under
// .data/bench-sms, the Twilio API double (test/twilio-double) and the product's SMS worker in K
// child processes, driven through the real twilio SDK. The double posts no status callbacks (the
// webhook is covered by tests).
//
// 1. Rate run: N departure notices written by writePublishNotifications for a published run, fanned
//    out to BullMQ; measures the publish + enqueue time and the achieved send rate (first to last
//    acceptance in the double's log) against the configured SMS_RATE_PER_SECOND.
// 2. Fault run: the same for a second run while a worker process (one of the K, at random) is
//    SIGKILLed five times at random moments (restarted each time) and Redis is restarted once. At
//    the end the double's own log file is read: messages accepted per notification reference →
//    sent, duplicates, lost.
// The last line printed is one JSON object.
import { fork, type ChildProcess } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { mkdirSync, openSync, readFileSync, rmSync } from "node:fs";
import { loadavg } from "node:os";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Queue } from "bullmq";
import pgLib from "pg";
import { parseConfig, type Config } from "../src/config.ts";
import { applyMigrations } from "../src/db/migrate.ts";
import { createPrismaClient } from "../src/db/node-client.ts";
import { maskMobile } from "../src/intake/fields/masking.ts";
import { createLogger } from "../src/logger.ts";
import { createPiiVault, type PiiVault } from "../src/pii/vault.ts";
import { redisConnectionOptions } from "../src/queue/producer.ts";
import { startLocalPostgres, startLocalRedis } from "../src/runtime/local-services.ts";
import { writePublishNotifications } from "../src/services/sms/publish-notifications.ts";
import { startTwilioDouble } from "../test/twilio-double/server.ts";

const repoRoot = path.resolve(fileURLToPath(new URL("..", import.meta.url)));
const args = parseArguments(process.argv.slice(2));
const log = createLogger("warn");
const status = (message: string) => process.stderr.write(`[bench:sms] ${message}\n`);

const dataDir = path.join(repoRoot, ".data", "bench-sms");
mkdirSync(dataDir, { recursive: true });
const pg = await startLocalPostgres({ dataDir: path.join(dataDir, "postgres"), port: args.pgPort, log, database: "homeward" });
const redis = await startLocalRedis({ dataDir: path.join(dataDir, "redis"), port: args.redisPort, log, appendOnly: true });
// A fresh database per run, so that runs do not pile up data.
const admin = new pgLib.Client({ connectionString: pg.url });
await admin.connect();
await admin.query("DROP DATABASE IF EXISTS sms_bench WITH (FORCE)");
await admin.query("CREATE DATABASE sms_bench");
await admin.end();
const benchUrl = new URL(pg.url);
benchUrl.pathname = "/sms_bench";
const databaseUrl = benchUrl.toString();
await applyMigrations(databaseUrl);
const db = createPrismaClient(databaseUrl, 10);

const keys = { enc: randomBytes(32).toString("base64"), mac: randomBytes(32).toString("base64") };
const pii = createPiiVault([{ id: "b1", key: keys.enc }], keys.mac);
const doubleLog = path.join(dataDir, "double-accepted.jsonl");
rmSync(doubleLog, { force: true });
// No status callbacks: posting them would only spend this process's CPU (the double's side) on a
// shared machine; the webhook is tested in test/integration.
const double = await startTwilioDouble({ logFile: doubleLog, config: { callbacks: { enabled: false } } });
const sink = createServer((req, res) => {
  req.resume();
  req.on("end", () => res.writeHead(200, { "Content-Type": "text/plain" }).end("ok"));
});
await new Promise<void>((resolve) => sink.listen(0, "127.0.0.1", resolve));
const sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`;
const prefix = `bench${randomBytes(3).toString("hex")}`;

const env: Record<string, string> = {
  NODE_ENV: "development",
  LOG_LEVEL: "warn",
  DATABASE_URL: databaseUrl,
  REDIS_URL: redis.url,
  PII_ENCRYPTION_KEYS: `b1:${keys.enc}`,
  PII_HMAC_KEY: keys.mac,
  TWILIO_ACCOUNT_SID: double.accountSid,
  TWILIO_AUTH_TOKEN: double.authToken,
  TWILIO_MESSAGING_SERVICE_SID: `MG${"b".repeat(32)}`,
  TWILIO_API_BASE_URL: double.baseUrl,
  PUBLIC_BASE_URL: sinkUrl,
  SMS_RATE_PER_SECOND: String(args.rate),
  SMS_QUIET_HOURS: "00:00-00:00",
  SMS_SEND_TIMEOUT_MS: "5000",
  SMS_LOOKUP_SETTLE_MS: "1000",
  OUTBOX_POLL_MS: "200",
  BENCH_QUEUE_PREFIX: prefix,
};
const config: Config = parseConfig(env);

// The SMS worker processes (`--workers K`, default 2): the limiter in Redis holds the global rate
// across them, and on a two-core machine shared with PostgreSQL, Redis and the double a second
// process keeps sending while the first one is busy (e.g. enqueuing the fan-out).
const workers: (ChildProcess | undefined)[] = Array.from({ length: args.workers }, () => undefined);
async function startWorkers(): Promise<void> {
  for (let i = 0; i < workers.length; i += 1) if (!workers[i]) workers[i] = await startWorker();
}
const workerLog = openSync(path.join(dataDir, "workers.log"), "w");
async function startWorker(): Promise<ChildProcess> {
  const child = fork(path.join(repoRoot, "bench/sms/worker-process.ts"), [], {
    env: { ...process.env, ...env },
    // The workers' log (warnings and errors) goes to a file, for after-the-fact questions.
    stdio: ["ignore", workerLog, "inherit", "ipc"],
    execArgv: [...process.execArgv, ...(process.env.BENCH_WORKER_PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_WORKER_PROFILE}`] : [])],
  });
  await new Promise<void>((resolve, reject) => {
    child.once("message", () => resolve());
    child.once("exit", (code) => reject(new Error(`worker exited at start (${code})`)));
  });
  child.removeAllListeners("exit");
  return child;
}
/** CPU seconds used so far by the worker processes now running. */
async function workerCpuSeconds(): Promise<number> {
  const each = await Promise.all(
    workers.map(
      (child) =>
        new Promise<number>((resolve) => {
          if (!child) return resolve(0);
          child.once("message", (m: { cpu?: { user: number; system: number } }) => resolve(m.cpu ? (m.cpu.user + m.cpu.system) / 1e6 : 0));
          child.send("cpu");
        }),
    ),
  );
  return each.reduce((a, b) => a + b, 0);
}
async function stopWorkers(): Promise<void> {
  await Promise.all(
    workers.map(async (child, i) => {
      if (!child) return;
      workers[i] = undefined;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    }),
  );
}
/** SIGKILLs one worker process, chosen at random. */
function killWorker(): number {
  const i = Math.floor(Math.random() * workers.length);
  workers[i]?.kill("SIGKILL");
  workers[i] = undefined;
  return i;
}

interface Seeded {
  campaignId: string;
  runId: string;
}

/** N travellers on N/50 buses of one published run, written set-based. */
async function seedRun(n: number, mobilePrefix: string, tag: string): Promise<Seeded> {
  const cityId = randomUUID();
  const enterpriseId = randomUUID();
  const operatorId = randomUUID();
  await db.$executeRaw`
    INSERT INTO organisations (id, kind, name, region_code, path, parent_id)
    VALUES (${cityId}::uuid, 'CITY_UNION', ${`苏州市总工会 ${tag}`}, '320500', ${`/${cityId}/`}, NULL),
           (${enterpriseId}::uuid, 'ENTERPRISE_UNION', ${`基准企业工会 ${tag}`}, '320509', ${`/${cityId}/${enterpriseId}/`}, ${cityId}::uuid),
           (${operatorId}::uuid, 'TRANSPORT_OPERATOR', ${`苏州汽车客运集团 ${tag}`}, '320500', ${`/${cityId}/${operatorId}/`}, ${cityId}::uuid)`;
  const campaign = await db.campaign.create({
    data: { cityOrgId: cityId, name: `基准 ${tag}`, year: 2027, originRegionCode: "320500", holidayDate: new Date("2027-02-06"), departureStart: new Date("2027-01-20"), departureEnd: new Date("2027-02-05"), paidBeforeDate: new Date("2027-01-31") },
  });
  const list = await db.ticketList.create({ data: { campaignId: campaign.id, orgId: enterpriseId, title: "基准名单", travelerCount: n } });
  const BATCH = 10_000;
  for (let start = 0; start < n; start += BATCH) {
    const count = Math.min(BATCH, n - start);
    const mobiles = Array.from({ length: count }, (_, i) => `${mobilePrefix}${String(start + i).padStart(8, "0")}`);
    const sealed = mobiles.map((m) => pii.seal(m));
    const hashes = mobiles.map((m) => pii.hash(m));
    const masked = mobiles.map((m) => maskMobile(m));
    const idSealed = pii.seal("320102199003071234");
    await db.$executeRaw`
      INSERT INTO travelers (id, list_id, campaign_id, org_id, row_number, name, id_sealed, id_hash, id_masked, mobile_sealed, mobile_hash, mobile_masked,
                             gender, birth_date, destination_code, earliest_date, latest_date, updated_at)
      SELECT gen_random_uuid(), ${list.id}::uuid, ${campaign.id}::uuid, ${enterpriseId}::uuid, ${start}::int + u.i::int, '工人', ${idSealed},
             md5(${tag} || (${start}::int + u.i::int)::text), '320102********1234', u.s, u.h, u.m, 'M', '1990-03-07', '411500', '2027-01-25', '2027-01-30', now()
        FROM unnest(${sealed}::text[], ${hashes}::text[], ${masked}::text[]) WITH ORDINALITY AS u(s, h, m, i)`;
  }
  const departureAt = new Date(Date.now() + 3 * 86_400_000);
  const run = await db.allocationRun.create({ data: { campaignId: campaign.id, seq: 1, status: "PUBLISHED", parameters: {}, publishedAt: new Date() } });
  const buses = Math.ceil(n / 50);
  await db.$executeRaw`
    INSERT INTO capacities (id, campaign_id, org_id, mode, label, departure_date, departure_minute, seats, details, updated_at)
    SELECT gen_random_uuid(), ${campaign.id}::uuid, ${operatorId}::uuid, 'BUS', '苏E' || lpad(b::text, 5, '0'), '2027-01-28', 450, 50,
           '{"contactPhone":"0512-65776577"}'::jsonb, now()
      FROM generate_series(1, ${buses}::int) AS b`;
  await db.$executeRaw`
    INSERT INTO vehicles (id, run_id, capacity_id, campaign_id, mode, label, departure_at, route, seats_total, seats_used)
    SELECT gen_random_uuid(), ${run.id}::uuid, c.id, c.campaign_id, 'BUS', c.label, ${departureAt},
           '[{"name":"吴江汽车站","regionCode":"320509","km":0},{"name":"信阳","regionCode":"411500","km":700}]'::jsonb, 50, 50
      FROM capacities c WHERE c.campaign_id = ${campaign.id}::uuid`;
  await db.$executeRaw`
    INSERT INTO assignments (id, run_id, vehicle_id, traveler_id, campaign_id, org_id, seat, drop_stop, drop_region_code)
    SELECT gen_random_uuid(), ${run.id}::uuid, v.id, t.id, t.campaign_id, t.org_id, (((t.row_number - 1) % 50) + 1)::text, 1, '411500'
      FROM travelers t
      JOIN vehicles v ON v.run_id = ${run.id}::uuid AND v.label = '苏E' || lpad((((t.row_number - 1) / 50) + 1)::text, 5, '0')
     WHERE t.list_id = ${list.id}::uuid`;
  return { campaignId: campaign.id, runId: run.id };
}

const queue = new Queue("sms", { connection: redisConnectionOptions(redis.url, "worker"), prefix });
queue.on("error", () => undefined);

/** Publishes the run's notifications and waits for the fan-out job to have enqueued them. */
async function publishAndEnqueue(runId: string) {
  const started = performance.now();
  const { created } = await db.$transaction((tx) => writePublishNotifications(tx, { pii, config }, runId), { timeout: 600_000, maxWait: 60_000 });
  const published = performance.now();
  const outbox = await db.outboxMessage.findFirstOrThrow({ where: { jobName: "sms.fan-out", payload: { equals: { runId } } } });
  for (;;) {
    const job = await queue.getJob(`outbox-${outbox.id}`).catch(() => undefined);
    if (job && (await job.getState()) === "completed") break;
    if (job && (await job.getState()) === "failed") throw new Error(`fan-out failed: ${job.failedReason}`);
    await sleep(50);
  }
  return { created, publishSeconds: (published - started) / 1000, enqueueSeconds: (performance.now() - started) / 1000 };
}

function acceptedLog(): { reference: string | null; acceptedAt: string }[] {
  double.flushLog();
  return readFileSync(doubleLog, "utf8").split("\n").filter(Boolean).map((line) => JSON.parse(line) as { reference: string | null; acceptedAt: string });
}

async function departureReferences(runId: string): Promise<string[]> {
  return (await db.notification.findMany({ where: { runId, kind: "DEPARTURE" }, select: { reference: true } })).map((r) => r.reference);
}

/** Waits until no departure notice of the run is left to send, or until nothing moved for `stallMs`. */
async function waitUntilSettled(runId: string, stallMs: number): Promise<void> {
  let last = -1;
  let movedAt = Date.now();
  for (;;) {
    const open = await db.notification.count({ where: { runId, kind: "DEPARTURE", status: { in: ["PENDING", "HELD", "SENDING"] } } });
    if (open === 0) return;
    if (open !== last) {
      status(`  ${open} departure notices still to send`);
      movedAt = Date.now();
    }
    last = open;
    if (Date.now() - movedAt > stallMs) {
      status(`  gave up: ${open} not sent and no progress for ${stallMs / 1000} s`);
      return;
    }
    await sleep(5_000);
  }
}

function count(references: string[], entries: { reference: string | null }[]) {
  const wanted = new Set(references);
  const perReference = new Map<string, number>();
  for (const e of entries) if (e.reference && wanted.has(e.reference)) perReference.set(e.reference, (perReference.get(e.reference) ?? 0) + 1);
  let duplicates = 0;
  for (const c of perReference.values()) duplicates += c - 1;
  return { sent: perReference.size, duplicates, lost: references.length - perReference.size };
}


// ── 1. Rate run ───────────────────────────────────────────────────────────────────────────────
status(`seeding ${args.messages} travellers (rate run)`);
const rateSeed = await seedRun(args.messages, "+86139", `rate-${prefix}`);
await startWorkers();
const cpuBefore = await workerCpuSeconds();
status("publishing");
const rateEnqueue = await publishAndEnqueue(rateSeed.runId);
status(`published ${rateEnqueue.created} notifications in ${rateEnqueue.publishSeconds.toFixed(1)} s, enqueued after ${rateEnqueue.enqueueSeconds.toFixed(1)} s`);
await waitUntilSettled(rateSeed.runId, 180_000);
const rateRefs = await departureReferences(rateSeed.runId);
const rateRefSet = new Set(rateRefs);
const rateEntries = acceptedLog().filter((e) => e.reference && rateRefSet.has(e.reference));
const times = rateEntries.map((e) => Date.parse(e.acceptedAt)).sort((a, b) => a - b);
const spanSeconds = times.length > 1 ? (times[times.length - 1]! - times[0]!) / 1000 : 0;
const achievedRatePerSec = spanSeconds > 0 ? (times.length - 1) / spanSeconds : 0;
const rateCounts = count(rateRefs, rateEntries);
const workerCpu = (await workerCpuSeconds()) - cpuBefore;
status(`rate run: ${times.length} accepted in ${spanSeconds.toFixed(1)} s = ${achievedRatePerSec.toFixed(1)}/s (configured ${args.rate}/s)`);
// A profiled worker writes its profile only when it exits normally: stop it gracefully here, so
// that the rate run's profile is not lost to the fault run's SIGKILLs.
if (process.env.BENCH_WORKER_PROFILE) {
  await stopWorkers();
  await startWorkers();
}

// ── 2. Fault run ──────────────────────────────────────────────────────────────────────────────
status(`seeding ${args.faultMessages} travellers (fault run)`);
const faultSeed = await seedRun(args.faultMessages, "+86138", `fault-${prefix}`);
const faultStarted = performance.now();
const faultEnqueue = await publishAndEnqueue(faultSeed.runId);
// Five kills and one Redis restart at random moments of the dispatch: each fires when a random
// share (5–85 %) of the run's notices has been sent, so they spread over the real dispatch time
// whatever rate the machine achieves.
const thresholds = Array.from({ length: 6 }, () => 0.05 + 0.8 * Math.random()).sort((a, b) => a - b);
const redisAt = Math.floor(Math.random() * 6);
const faults: string[] = [];
const elapsed = () => `${((performance.now() - faultStarted) / 1000).toFixed(1)}s`;
for (const [i, share] of thresholds.entries()) {
  for (;;) {
    const open = await db.notification.count({ where: { runId: faultSeed.runId, kind: "DEPARTURE", status: { in: ["PENDING", "HELD", "SENDING"] } } });
    if (args.faultMessages - open >= share * args.faultMessages) break;
    await sleep(100 + Math.random() * 200);
  }
  if (i === redisAt) {
    status(`  restarting Redis at ${elapsed()} (${Math.round(share * 100)} % sent)`);
    await redis.restart();
    faults.push(`redis@${elapsed()}`);
    continue;
  }
  const killed = killWorker();
  status(`  SIGKILL worker ${killed + 1}/${workers.length} at ${elapsed()} (${Math.round(share * 100)} % sent)`);
  faults.push(`kill@${elapsed()}`);
  await sleep(500 + Math.random() * 1_500);
  await startWorkers();
}
// Stalled jobs come back once their lock expires (30 s); interrupted sends are looked up first.
// A job lost with Redis is re-enqueued by the sweep (every minute, for rows stale for 2 min), so
// "no progress" must last longer than that before the run gives up.
await waitUntilSettled(faultSeed.runId, 300_000);
const faultRefs = await departureReferences(faultSeed.runId);
const faultCounts = count(faultRefs, acceptedLog());
const dbStatus = Object.fromEntries(
  (await db.notification.groupBy({ by: ["status"], where: { runId: faultSeed.runId, kind: "DEPARTURE" }, _count: true })).map((g) => [g.status, g._count]),
);
status(`fault run: ${JSON.stringify({ ...faultCounts, faults, dbStatus })}`);

// ── Shutdown ──────────────────────────────────────────────────────────────────────────────────
await stopWorkers();
await queue.obliterate({ force: true }).catch(() => undefined);
await queue.close();
await double.close();
sink.close();
await db.$disconnect();
await redis.stop();
await pg.stop();

const result = {
  messages: args.messages,
  rate: args.rate,
  workers: args.workers,
  achievedRatePerSec: round(achievedRatePerSec),
  rateRatio: round(achievedRatePerSec / args.rate, 3),
  enqueueSeconds: round(rateEnqueue.enqueueSeconds),
  publishSeconds: round(rateEnqueue.publishSeconds),
  sent: rateCounts.sent + faultCounts.sent,
  duplicates: rateCounts.duplicates + faultCounts.duplicates,
  lost: rateCounts.lost + faultCounts.lost,
  rateRun: { messages: args.messages, ...rateCounts, spanSeconds: round(spanSeconds), workerCpuMsPerMessage: round((workerCpu * 1000) / args.messages, 2), loadAverage: loadavg().map((l) => round(l)) },
  faultRun: { messages: args.faultMessages, ...faultCounts, faults, enqueueSeconds: round(faultEnqueue.enqueueSeconds), seconds: round((performance.now() - faultStarted) / 1000), notificationStatus: dbStatus },
};
console.log(JSON.stringify(result));
process.exit(result.duplicates === 0 && result.lost === 0 ? 0 : 1);

function round(x: number, digits = 1) {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
function parseArguments(argv: string[]) {
  const get = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const int = (name: string, fallback: number) => {
    const raw = get(name);
    const value = raw === undefined ? fallback : Number(raw);
    if (!Number.isFinite(value) || value <= 0) {
      console.error(`--${name} must be a positive number`);
      process.exit(2);
    }
    return value;
  };
  const messages = int("messages", 100_000);
  return {
    messages,
    rate: int("rate", 500),
    faultMessages: int("fault-messages", messages),
    workers: int("workers", 2),
    pgPort: int("pg-port", 54349),
    redisPort: int("redis-port", 63849),
  };
}
