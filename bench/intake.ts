// Benchmark of group-list imports: `npm run bench:intake -- [--rows N] [--formats csv,gbk,xlsx]
// [--batch-rows B] [--fault-share F]`. Generates N realistic rows (src/intake/synthetic.ts) as a
// UTF-8 CSV, a GBK CSV and an XLSX, imports each end to end through the product's own code (the
// upload service: hash, seal in 48 KiB chunks, queue; then the import job: stream the sealed chunks,
// decode, parse, validate, seal and hash the personal data, commit in batches with checkpoints),
// and, in the same run on the same database, inserts the same rows into the same table with the
// raw bulk insert alone (the job's `COPY … FROM STDIN` over pg, values prepared beforehand, only
// the copies timed) as the physical floor. Setup (database, migrations, organisations, warm-up,
// file generation) is never timed; "end to end" starts at the upload service. The last line is one JSON object.
// It uses its own database on the project's PostgreSQL (resolveServices), dropped at the end.
//
// Two processes, as the product runs it: the upload service runs in this process (as in the API),
// the import job in a child process (this script with --import-job, as in the intake worker) that
// runs only the job code, the same `runImport` the `intake.import` processor calls, with the same
// kind of pool. The child is started and warmed up before anything is timed, like a running worker,
// and is handed each job over IPC instead of BullMQ. "End to end" still runs from the start of the
// upload here to the job's last committed row there. `peakRssMb` (the memory goal's figure) is the
// importing child's peak RSS as the kernel counts it (getrusage maxRSS over its whole life, warm-up
// included); `benchProcessPeakRssMb` is this process's, which holds the uploaded file, like the API.
import { execFile, fork, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { once } from "node:events";
import iconv from "iconv-lite";
import pg from "pg";
import type { Principal } from "../src/auth/principal.ts";
import { parseConfig } from "../src/config.ts";
import { applyMigrations } from "../src/db/migrate.ts";
import { createPrismaClient } from "../src/db/node-client.ts";
import { createLogger } from "../src/logger.ts";
import { TEMPLATE_HEADERS } from "../src/intake/headers.ts";
import { iterateTravelerRows, type SyntheticTraveler } from "../src/intake/synthetic.ts";
import { validateRow } from "../src/intake/validate-row.ts";
import { createPiiVault } from "../src/pii/vault.ts";
import { resolveServices } from "../src/runtime/services.ts";
import { createOrganisationTree } from "../src/services/identity/bootstrap.ts";
import { dateToDb } from "../src/services/dates.ts";
import { runImport, startImport } from "../src/services/intake/imports.ts";
import { copyTravelers, TravelerCopyRows, todayInShanghai } from "../src/services/intake/rows.ts";

type Format = "csv" | "gbk" | "xlsx";

function parseArguments(argv: string[]) {
  const value = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const rows = Number(value("rows") ?? 100_000);
  const batchRows = Number(value("batch-rows") ?? 5000);
  const faultShare = Number(value("fault-share") ?? 0.01);
  const formats = (value("formats") ?? "csv,gbk,xlsx").split(",") as Format[];
  // Prints RSS, heap used and external memory each second of each import (to stderr).
  const memoryTrace = argv.includes("--memory-trace");
  if (!Number.isInteger(rows) || rows < 1) throw new Error("--rows must be a positive integer");
  if (formats.some((f) => !["csv", "gbk", "xlsx"].includes(f))) throw new Error("--formats is a comma list of csv, gbk, xlsx");
  return { rows, batchRows, faultShare, formats, memoryTrace };
}

const options = parseArguments(process.argv.slice(2));
const WINDOW = { start: "2027-01-22", end: "2027-02-05" };
const SEED = 20270206;
const FIELDS = ["name", "idNumber", "mobile", "destination", "earliestDate", "latestDate", "group", "preference", "remark"] as const;
const HEADERS = FIELDS.map((f) => TEMPLATE_HEADERS[f].replace(/ \(.*\)$/, ""));

const csvCell = (value: string) => (/[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);
const csvLine = (cells: string[]) => `${cells.map(csvCell).join(",")}\r\n`;
const rowCells = (r: SyntheticTraveler) => FIELDS.map((f) => String(r[f] ?? ""));
const synthetic = () => iterateTravelerRows(options.rows, SEED, { window: WINDOW, faultShare: options.faultShare });

async function writeCsv(file: string, encoding: "utf8" | "gbk", rows = options.rows) {
  const out = createWriteStream(file);
  const encode = (text: string) => (encoding === "utf8" ? text : iconv.encode(text, "gbk"));
  let buffer = csvLine(HEADERS);
  for (const row of iterateTravelerRows(rows, rows === options.rows ? SEED : SEED + 1, { window: WINDOW, faultShare: options.faultShare })) {
    buffer += csvLine(rowCells(row));
    if (buffer.length > 256 * 1024) {
      if (!out.write(encode(buffer))) await once(out, "drain");
      buffer = "";
    }
  }
  out.end(encode(buffer));
  await once(out, "finish");
}

async function writeXlsx(file: string) {
  // As Excel saves it: shared strings, the ID and mobile columns as text. In a child process (this
  // script with --write-xlsx): exceljs's writer leaves a few hundred MB of garbage behind, which
  // otherwise stayed in this process's heap through the XLSX import and was its peak RSS.
  const args = [...process.execArgv, process.argv[1]!, "--write-xlsx", file, "--rows", String(options.rows), "--fault-share", String(options.faultShare)];
  await promisify(execFile)(process.execPath, args, { maxBuffer: 16 * 1024 * 1024 });
}

async function writeXlsxHere(file: string) {
  const { default: ExcelJS } = await import("exceljs");
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useSharedStrings: true, useStyles: true });
  const sheet = workbook.addWorksheet("名单");
  sheet.addRow(HEADERS).commit();
  for (const row of synthetic()) sheet.addRow(rowCells(row)).commit();
  sheet.commit();
  await workbook.commit();
}

function mb(bytes: number) {
  return Math.round((bytes / 1024 / 1024) * 10) / 10;
}

async function main() {
  const config = parseConfig({ ...process.env, LOG_LEVEL: "warn" });
  const log = createLogger("warn", { process: "bench-intake" });
  const services = await resolveServices(config, log, { redis: false });
  const dbName = `homeward_bench_${randomBytes(4).toString("hex")}`;
  const admin = new URL(services.databaseUrl);
  admin.pathname = "/postgres";
  const adminClient = new pg.Client({ connectionString: admin.toString() });
  await adminClient.connect();
  await adminClient.query(`CREATE DATABASE ${dbName}`);
  const url = new URL(services.databaseUrl);
  url.pathname = `/${dbName}`;
  const work = await mkdtemp(path.join(tmpdir(), "homeward-bench-"));
  const db = createPrismaClient(url.toString(), 4);
  const floorClient = new pg.Client({ connectionString: url.toString() });
  let importer: Importer | undefined;
  try {
    await applyMigrations(url.toString());
    const piiKeys: PiiKeys = { keys: [{ id: "bench", key: randomBytes(32).toString("base64") }], hmacKey: randomBytes(32).toString("base64") };
    const pii = createPiiVault(piiKeys.keys, piiKeys.hmacKey);
    const city = await createOrganisationTree(db, { kind: "CITY_UNION", name: "苏州市总工会", regionCode: "320500" });
    const district = await createOrganisationTree(db, { parent: city, kind: "DISTRICT_UNION", name: "吴江区总工会", regionCode: "320509" });
    const enterprise = await createOrganisationTree(db, { parent: district, kind: "ENTERPRISE_UNION", name: "盛虹集团工会", regionCode: "320509" });
    const campaign = await db.campaign.create({
      data: {
        cityOrgId: city.id,
        name: "bench",
        year: 2027,
        originRegionCode: "320500",
        holidayDate: dateToDb("2027-02-06"),
        departureStart: dateToDb(WINDOW.start),
        departureEnd: dateToDb(WINDOW.end),
        paidBeforeDate: dateToDb("2027-01-20"),
        status: "OPEN",
      },
    });
    const principal: Principal = {
      actorType: "API_KEY",
      actorId: "bench",
      actorLabel: "bench",
      orgId: enterprise.id,
      orgKind: "ENTERPRISE_UNION",
      orgName: enterprise.name,
      orgPath: enterprise.path,
      role: "STAFF",
    };
    const ctx = { db, principal, log, pii, requestId: "bench" };
    importer = await startImporter(url.toString(), piiKeys);

    // Warm-up (not timed): the first queries compile their plans, the first rows load the region data.
    {
      const file = path.join(work, "warm-up.csv");
      await writeCsv(file, "utf8", 500);
      const { job } = await startImport(ctx, campaign.id, { bytes: await readFile(file), mode: "ACCEPT_VALID" });
      await importer.run(job.id);
      await rm(file);
    }

    console.log(`after setup and warm-up: RSS ${mb(process.memoryUsage().rss)} MB, heap used ${mb(process.memoryUsage().heapUsed)} MB`);
    const results: Partial<Record<Format, { rowsPerSec: number; seconds: number; cpuUsPerRow: number; jobCpuUsPerRow: number; committed: number; rejected: number; fileMb: number }>> = {};
    for (const format of options.formats) {
      const file = path.join(work, `list-${format}.${format === "xlsx" ? "xlsx" : "csv"}`);
      const generated = performance.now();
      if (format === "xlsx") await writeXlsx(file);
      else await writeCsv(file, format === "gbk" ? "gbk" : "utf8");
      const generateSeconds = (performance.now() - generated) / 1000;
      let bytes: Uint8Array | undefined = await readFile(file);
      const fileBytes = bytes.byteLength;
      // End to end: the upload service (hash, seal in chunks, queue) here, the import job in the child.
      let maxHeapUsed = 0;
      let maxRss = 0;
      const sampler = setInterval(() => {
        const usage = process.memoryUsage();
        maxHeapUsed = Math.max(maxHeapUsed, usage.heapUsed);
        maxRss = Math.max(maxRss, usage.rss);
        if (options.memoryTrace) {
          const at = ((performance.now() - started) / 1000).toFixed(0);
          console.error(`${format} +${at}s rss ${mb(usage.rss)} heapUsed ${mb(usage.heapUsed)} heapTotal ${mb(usage.heapTotal)} external ${mb(usage.external)} MB`);
        }
      }, 1000);
      // CPU time of both processes (upload here, job there, pg clients, garbage collection; not
      // PostgreSQL's): on a shared machine a steadier measure of the job's own cost than rows/s.
      const cpuBefore = process.cpuUsage();
      const started = performance.now();
      const { job } = await startImport(ctx, campaign.id, { bytes, fileName: path.basename(file), mode: "ACCEPT_VALID" });
      const uploadSeconds = (performance.now() - started) / 1000;
      bytes = undefined;
      const { job: done, memory: child } = await importer.run(job.id);
      const seconds = (performance.now() - started) / 1000;
      const cpu = process.cpuUsage(cpuBefore);
      cpu.user += child.cpuUs;
      clearInterval(sampler);
      if (!done || done.status !== "SUCCEEDED") throw new Error(`${format} import ended ${done?.status}: ${JSON.stringify(done?.failure)}`);
      results[format] = {
        rowsPerSec: Math.round(options.rows / seconds),
        seconds: Math.round(seconds * 100) / 100,
        cpuUsPerRow: Math.round((cpu.user + cpu.system) / options.rows * 10) / 10,
        jobCpuUsPerRow: Math.round(child.cpuUs / options.rows * 10) / 10,
        committed: done.rowsCommitted,
        rejected: done.errorCount,
        fileMb: mb(fileBytes),
      };
      console.log(
        `${format.padEnd(4)} ${options.rows} rows (${mb(fileBytes)} MB, generated in ${generateSeconds.toFixed(1)} s): ${seconds.toFixed(2)} s end to end ` +
          `(upload ${uploadSeconds.toFixed(2)} s), ` +
          `${results[format]!.rowsPerSec} rows/s, ${results[format]!.cpuUsPerRow} µs CPU/row (${results[format]!.jobCpuUsPerRow} in the job), ${done.rowsCommitted} committed, ${done.errorCount} rejected; ` +
          `importing process: at most ${mb(child.maxHeapUsed)} MB heap used and ${mb(child.maxRss)} MB RSS (sampled each second), peak RSS so far ${mb(child.peakRss)} MB; ` +
          `this (uploading) process: at most ${mb(maxHeapUsed)} MB heap used and ${mb(maxRss)} MB RSS sampled, peak so far ${mb(process.resourceUsage().maxRSS * 1024)} MB`,
      );
      await rm(file);
    }
    // The importer's whole-life peak, as the kernel counts it; stopped here so that nothing of it
    // runs during the floor.
    const importPeakRss = await importer.stop();
    importer = undefined;

    // The floor: the same rows, already validated, sealed and hashed, into the same table with the
    // same COPY the import job uses, in batches of the same size, one transaction each; only the
    // copies are timed.
    await floorClient.connect();
    const list = await db.ticketList.create({ data: { campaignId: campaign.id, orgId: enterprise.id, title: "floor", status: "SUBMITTED" } });
    const target = { listId: list.id, campaignId: campaign.id, orgId: enterprise.id };
    const rowContext = { window: WINDOW, today: todayInShanghai() };
    let insertMs = 0;
    let floorRows = 0;
    // Each batch is prepared (validated, sealed, hashed, in COPY form) untimed, then copied timed.
    let columns = new TravelerCopyRows(target);
    const flush = async () => {
      const t = performance.now();
      await floorClient.query("BEGIN");
      await copyTravelers(floorClient, columns);
      await floorClient.query("COMMIT");
      insertMs += performance.now() - t;
      floorRows += columns.length;
      columns = new TravelerCopyRows(target);
    };
    let rowNumber = 1;
    for (const row of synthetic()) {
      rowNumber++;
      const checked = validateRow(row, rowContext);
      if (!checked.ok) continue;
      columns.push(pii, rowNumber, checked.value);
      if (columns.length >= options.batchRows) await flush();
    }
    if (columns.length > 0) await flush();
    const floorRowsPerSec = Math.round(floorRows / (insertMs / 1000));
    console.log(`floor ${floorRows} rows: ${(insertMs / 1000).toFixed(2)} s of bulk inserts, ${floorRowsPerSec} rows/s`);

    const ratio = (format: Format) => (results[format] ? Math.round((results[format]!.rowsPerSec / floorRowsPerSec) * 1000) / 1000 : null);
    const summary = {
      rows: options.rows,
      batchRows: options.batchRows,
      faultShare: options.faultShare,
      csvRowsPerSec: results.csv?.rowsPerSec ?? null,
      gbkCsvRowsPerSec: results.gbk?.rowsPerSec ?? null,
      xlsxRowsPerSec: results.xlsx?.rowsPerSec ?? null,
      floorRowsPerSec,
      csvToFloorRatio: ratio("csv"),
      gbkCsvToFloorRatio: ratio("gbk"),
      xlsxToFloorRatio: ratio("xlsx"),
      cpuUsPerRow: { csv: results.csv?.cpuUsPerRow ?? null, gbk: results.gbk?.cpuUsPerRow ?? null, xlsx: results.xlsx?.cpuUsPerRow ?? null },
      // The importing process (the memory goal's figure), and this uploading process apart.
      peakRssMb: mb(importPeakRss),
      benchProcessPeakRssMb: mb(process.resourceUsage().maxRSS * 1024),
      // The machine is shared: figures mean little without the load they were measured under.
      loadAverage1m: Math.round(loadavg()[0]! * 100) / 100,
    };
    console.log(JSON.stringify(summary));
  } finally {
    await floorClient.end().catch(() => undefined);
    await importer?.stop().catch(() => undefined);
    await db.$disconnect();
    // Without FORCE: terminating a connection this process still holds would crash it.
    for (let attempt = 1; attempt <= 5; attempt++) {
      try {
        await adminClient.query(`DROP DATABASE IF EXISTS ${dbName}`);
        break;
      } catch (error) {
        if (attempt === 5) console.error(`could not drop ${dbName}: ${(error as Error).message}`);
        else await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
    await adminClient.end();
    await rm(work, { recursive: true, force: true });
    await services.stop();
  }
}

type PiiKeys = { keys: { id: string; key: string }[]; hmacKey: string };
type ImportMemory = { maxRss: number; maxHeapUsed: number; peakRss: number; cpuUs: number };
type ImportDone = NonNullable<Awaited<ReturnType<typeof runImport>>>;
type Importer = { run(importId: string): Promise<{ job: ImportDone; memory: ImportMemory }>; stop(): Promise<number> };
type ToImporter = { type: "run"; importId: string } | { type: "stop" };
type FromImporter = { type: "ready" } | { type: "done"; job: ImportDone; memory: ImportMemory } | { type: "failed"; message: string } | { type: "stopped"; peakRss: number };

/** Starts the importing child and waits until it is connected, like a running intake worker. */
async function startImporter(databaseUrl: string, piiKeys: PiiKeys): Promise<Importer> {
  const args = ["--import-job", "--batch-rows", String(options.batchRows), ...(options.memoryTrace ? ["--memory-trace"] : [])];
  // BENCH_IMPORT_PROFILE=<dir>: the importing process's CPU profile, written when it stops.
  const profile = process.env.BENCH_IMPORT_PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_IMPORT_PROFILE}`] : [];
  const child: ChildProcess = fork(process.argv[1]!, args, { execArgv: [...process.execArgv, ...profile], stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const next = () =>
    new Promise<FromImporter>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`import child exited (${code})`));
      child.once("exit", onExit);
      child.once("message", (message) => {
        child.off("exit", onExit);
        resolve(message as FromImporter);
      });
    });
  // The keys go over IPC, never on a command line another process could read.
  const ready = next();
  child.send({ databaseUrl, piiKeys });
  if ((await ready).type !== "ready") throw new Error("import child did not start");
  let stopped: Promise<number> | undefined;
  return {
    async run(importId) {
      const reply = next();
      child.send({ type: "run", importId } satisfies ToImporter);
      const message = await reply;
      if (message.type === "failed") throw new Error(`import job failed: ${message.message}`);
      if (message.type !== "done") throw new Error(`unexpected message from the import child: ${message.type}`);
      return { job: message.job, memory: message.memory };
    },
    stop() {
      stopped ??= (async () => {
        if (!child.connected) {
          child.kill();
          return Number.NaN;
        }
        const reply = next();
        const exited = once(child, "exit");
        child.send({ type: "stop" } satisfies ToImporter);
        const message = await reply;
        await exited;
        return message.type === "stopped" ? message.peakRss : Number.NaN;
      })();
      return stopped;
    },
  };
}

/** The importing child: only what the intake worker holds for the job (a Prisma client, the job's
 * pg pool as workers/processors/intake.ts makes it, the vault, a logger) and the job's own code. */
async function importerChild() {
  const { databaseUrl, piiKeys } = await new Promise<{ databaseUrl: string; piiKeys: PiiKeys }>((resolve) => process.once("message", resolve as never));
  const log = createLogger("warn", { process: "bench-intake-import" });
  const db = createPrismaClient(databaseUrl, 10);
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2, idleTimeoutMillis: 1_000, allowExitOnIdle: true });
  const pii = createPiiVault(piiKeys.keys, piiKeys.hmacKey);
  const send = (message: FromImporter) => process.send!(message);
  process.on("message", async (message: ToImporter) => {
    if (message.type === "stop") {
      await pool.end().catch(() => undefined);
      await db.$disconnect().catch(() => undefined);
      send({ type: "stopped", peakRss: process.resourceUsage().maxRSS * 1024 });
      process.disconnect();
      return;
    }
    const memory: ImportMemory = { maxRss: 0, maxHeapUsed: 0, peakRss: 0, cpuUs: 0 };
    const started = performance.now();
    const sample = () => {
      const usage = process.memoryUsage();
      memory.maxRss = Math.max(memory.maxRss, usage.rss);
      memory.maxHeapUsed = Math.max(memory.maxHeapUsed, usage.heapUsed);
      if (options.memoryTrace) {
        const at = ((performance.now() - started) / 1000).toFixed(0);
        console.error(`import +${at}s rss ${mb(usage.rss)} heapUsed ${mb(usage.heapUsed)} heapTotal ${mb(usage.heapTotal)} external ${mb(usage.external)} MB`);
      }
    };
    const sampler = setInterval(sample, 1000);
    const cpuBefore = process.cpuUsage();
    try {
      const job = await runImport({ db, log, pii }, message.importId, { batchRows: options.batchRows, pool });
      if (!job) throw new Error(`import ${message.importId} not found`);
      sample();
      const cpu = process.cpuUsage(cpuBefore);
      memory.cpuUs = cpu.user + cpu.system;
      memory.peakRss = process.resourceUsage().maxRSS * 1024;
      send({ type: "done", job, memory });
    } catch (error) {
      send({ type: "failed", message: (error as Error).message });
    } finally {
      clearInterval(sampler);
    }
  });
  // The bench process ended (or crashed): nothing more to do.
  process.once("disconnect", () => process.exit(0));
  send({ type: "ready" });
}

const writeXlsxTo = process.argv.indexOf("--write-xlsx");
if (writeXlsxTo >= 0) await writeXlsxHere(process.argv[writeXlsxTo + 1]!);
else if (process.argv.includes("--import-job")) await importerChild();
else await main();
