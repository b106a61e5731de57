// File imports end to end: real GBK / BOM CSV and XLSX uploads through the API, the import job
// run by the BullMQ worker (and directly), progress, all-or-nothing vs accept-valid, Excel damage,
// in-file duplicates, conflicts in the result, hostile files, idempotency, and a worker that dies
// after its first committed batch: the retry resumes and every row is stored exactly once.
import { randomBytes } from "node:crypto";
import { deflateRawSync } from "node:zlib";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createLogger } from "../../src/logger.ts";
import { piiVaultFromConfig } from "../../src/pii/vault.ts";
import { readXlsxRows } from "../../src/intake/files/xlsx-reader.ts";
import { runImport } from "../../src/services/intake/imports.ts";
import { runWorkers } from "../../workers/run-workers.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/database.ts";
import { buildTestApp, call, createCityFixture, testConfig, type CityFixture, type TestApp } from "../helpers/app.ts";
import { buildXlsx, inlineRow, worksheetXml } from "../fixtures/intake/xlsx-parts.ts";
import { bomCsv, createCampaign, gbkCsv, person, upload, utf8Csv, xlsxFile } from "../fixtures/intake/lists.ts";

let database: TestDatabase;
let app: TestApp;
let fx: CityFixture;
let campaignId: string;
/** The intake worker's pool (workers/processors/intake.ts): the job reads and commits over plain pg. */
let jobPool: pg.Pool;
const config = testConfig();
const system = () => ({ db: database.db, log: createLogger("silent"), pii: piiVaultFromConfig(config) });

beforeAll(async () => {
  database = await createTestDatabase();
  app = buildTestApp(database.db);
  fx = await createCityFixture(database.db);
  campaignId = await createCampaign(app, fx.keys.city.STAFF);
  jobPool = new pg.Pool({ connectionString: database.url, max: 2 });
});
afterAll(async () => {
  await jobPool.end();
  await database.drop();
});

const importPath = () => `/v1/campaigns/${campaignId}/ticket-lists/imports`;
const people = (from: number, count: number) => Array.from({ length: count }, (_, i) => person(from + i));

async function importAndRun(file: Uint8Array, fields: Record<string, string> = {}, key = fx.keys.enterpriseA1.STAFF, fileName = "名单.csv") {
  const res = await upload(app, importPath(), key, file, fields, {}, fileName);
  expect(res.status, res.text).toBe(202);
  await runImport(system(), res.json.job.id, { pool: jobPool });
  return (await call(app, "GET", `/v1/imports/${res.json.job.id}`, { key })).json;
}

describe("importTicketList through the worker", () => {
  it("a GBK-encoded CSV (Excel's default) is queued, imported by the intake worker, and its names read right", async () => {
    const rows = people(1000, 30).map((r, i) => (i === 0 ? { ...r, name: "欧阳·娜娜" } : i === 1 ? { ...r, name: "堃燚" } : r));
    const res = await upload(app, importPath(), fx.keys.enterpriseA1.STAFF, gbkCsv(rows), { mode: "ALL_OR_NOTHING", title: "GBK 名单" });
    expect(res.status).toBe(202);
    expect(res.json.job).toMatchObject({ status: "QUEUED", fileKind: "csv", mode: "ALL_OR_NOTHING" });
    const list = await database.db.ticketList.findUniqueOrThrow({ where: { id: res.json.job.listId } });
    expect(list.status).toBe("DRAFT");
    expect(await database.db.importFileChunk.count({ where: { importId: res.json.job.id } })).toBe(1);
    const outbox = await database.db.outboxMessage.findFirstOrThrow({ where: { jobName: "intake.import" } });
    expect(outbox.payload).toEqual({ importId: res.json.job.id });

    const workers = await runWorkers({ config, log: createLogger("silent"), databaseUrl: database.url, redisUrl: inject("redisUrl"), prefix: `t${randomBytes(4).toString("hex")}`, queues: ["intake"] });
    try {
      await workers.drainOutbox();
      let job = res.json.job;
      for (let i = 0; i < 200 && !["SUCCEEDED", "REJECTED", "FAILED"].includes(job.status); i++) {
        await new Promise((r) => setTimeout(r, 100));
        job = (await call(app, "GET", `/v1/imports/${job.id}`, { key: fx.keys.enterpriseA1.READ_ONLY })).json;
      }
      expect(job).toMatchObject({ status: "SUCCEEDED", rowsDone: 30, rowsCommitted: 30, rowsTotal: 30, errorCount: 0, attempts: 1 });
      expect(job.rowsPerSec).toBeGreaterThan(0);
    } finally {
      await workers.stop();
    }
    const stored = await call(app, "GET", `/v1/ticket-lists/${res.json.job.listId}`, { key: fx.keys.enterpriseA1.READ_ONLY });
    expect(stored.json).toMatchObject({ status: "SUBMITTED", travelerCount: 30, title: "GBK 名单" });
    expect(stored.json.travelers.slice(0, 2).map((t: { name: string }) => t.name)).toEqual(["欧阳·娜娜", "堃燚"]);
    expect(stored.json.travelers[0].rowNumber).toBe(2);
    // The sealed upload is deleted when the import ends.
    expect(await database.db.importFileChunk.count({ where: { importId: res.json.job.id } })).toBe(0);
  });

  it("a UTF-8 CSV with BOM imports the same", async () => {
    const job = await importAndRun(bomCsv(people(1100, 5)));
    expect(job).toMatchObject({ status: "SUCCEEDED", rowsCommitted: 5 });
  });

  it("an XLSX with numbers-as-text and date serials, from a named sheet", async () => {
    const rows = people(1200, 4).map((r) => ({ ...r, mobile: Number(r.mobile), earliestDate: new Date("2027-01-26T00:00:00Z") }));
    const job = await importAndRun(await xlsxFile(rows, "返乡名单"), { sheetName: "返乡名单" }, fx.keys.enterpriseA1.STAFF, "名单.xlsx");
    expect(job).toMatchObject({ status: "SUCCEEDED", fileKind: "xlsx", rowsCommitted: 4 });
    const list = await call(app, "GET", `/v1/ticket-lists/${job.listId}`, { key: fx.keys.enterpriseA1.READ_ONLY });
    expect(list.json.travelers[0]).toMatchObject({ earliestDate: "2027-01-26", mobileMasked: expect.stringMatching(/^139\*{4}\d{4}$/) });
    const missing = await upload(app, importPath(), fx.keys.enterpriseA1.STAFF, await xlsxFile(people(1210, 1), "Sheet1"), { sheetName: "没有这个表" }, {}, "x.xlsx");
    await runImport(system(), missing.json.job.id, { pool: jobPool });
    const failed = (await call(app, "GET", `/v1/imports/${missing.json.job.id}`, { key: fx.keys.enterpriseA1.STAFF })).json;
    expect(failed).toMatchObject({ status: "FAILED", failure: { code: "FILE_XLSX_SHEET_NOT_FOUND" } });
  });
});

describe("modes and the rejected rows", () => {
  it("all-or-nothing: Excel damage in an XLSX rejects the whole file, keeps the report and the rejected rows", async () => {
    const rows = people(2000, 6);
    rows[1] = { ...rows[1]!, idNumber: 411426199003071234 as unknown as string }; // a number: digits lost
    rows[3] = { ...rows[3]!, idNumber: "4.11426E+17" };
    const job = await importAndRun(await xlsxFile(rows), {}, fx.keys.enterpriseA1.STAFF, "damaged.xlsx");
    expect(job).toMatchObject({ status: "REJECTED", rowsDone: 6, rowsCommitted: 0, errorCount: 2 });
    expect(job.rejectedRows.map((r: { row: number; errors: { code: string }[] }) => [r.row, r.errors[0]!.code])).toEqual([
      [3, "ID_EXCEL_PRECISION"],
      [5, "ID_EXCEL_SCIENTIFIC"],
    ]);
    expect(await database.db.traveler.count({ where: { listId: job.listId } })).toBe(0);
    expect((await database.db.ticketList.findUniqueOrThrow({ where: { id: job.listId } })).status).toBe("DRAFT");

    const download = await app.request(`/v1/imports/${job.id}/rejected-rows.xlsx`, { headers: { authorization: `Bearer ${fx.keys.enterpriseA1.STAFF}` } });
    expect(download.status).toBe(200);
    const sheet = [];
    for await (const row of readXlsxRows(new Uint8Array(await download.arrayBuffer()))) sheet.push(row.record);
    expect(sheet[0]).toEqual(["姓名", "身份证号", "手机号", "目的地", "最早出发日期", "最晚出发日期", "原行号 (row)", "错误说明", "error"]);
    expect(sheet).toHaveLength(3);
    expect(sheet[1]![0]).toBe(rows[1]!.name);
    expect(String(sheet[1]![7])).toContain("Excel");
    expect(sheet[2]![1]).toBe("4.11426E+17");
    expect(await database.db.auditEntry.count({ where: { action: "import.rejected_rows_download", entityId: job.id } })).toBe(1);
    // Only the uploading enterprise: its district reads progress, not the rows.
    expect((await call(app, "GET", `/v1/imports/${job.id}`, { key: fx.keys.districtA.READ_ONLY })).status).toBe(200);
    expect((await call(app, "GET", `/v1/imports/${job.id}`, { key: fx.keys.districtB.READ_ONLY })).status).toBe(404);
    expect((await app.request(`/v1/imports/${job.id}/rejected-rows.xlsx`, { headers: { authorization: `Bearer ${fx.keys.enterpriseA2.STAFF}` } })).status).toBe(404);
  });

  it("accept-valid: keeps the valid rows, rejects both rows of a person listed twice, and reports conflicts", async () => {
    const elsewhere = person(3003);
    const b1 = await call(app, "POST", `/v1/campaigns/${campaignId}/ticket-lists`, { key: fx.keys.enterpriseB1.STAFF, body: { rows: [elsewhere] } });
    expect(b1.status).toBe(201);
    const rows = [...people(3000, 5), person(3001, { name: "重复者" }), person(3010, { destination: "火星" })];
    const job = await importAndRun(utf8Csv(rows), { mode: "ACCEPT_VALID" });
    expect(job).toMatchObject({ status: "SUCCEEDED", rowsDone: 7, rowsCommitted: 4, errorCount: 3 });
    expect(job.rejectedRows.map((r: { row: number; errors: { code: string }[] }) => [r.row, r.errors[0]!.code])).toEqual([
      [3, "ID_DUPLICATE_IN_LIST"],
      [7, "ID_DUPLICATE_IN_LIST"],
      [8, "DESTINATION_UNKNOWN"],
    ]);
    expect(job.conflicts).toHaveLength(1);
    expect(job.conflicts[0].idNumberMasked).toBe(`${elsewhere.idNumber.slice(0, 6)}********${elsewhere.idNumber.slice(-4)}`);
    const list = await database.db.ticketList.findUniqueOrThrow({ where: { id: job.listId } });
    expect(list).toMatchObject({ status: "SUBMITTED", travelerCount: 4 });
  });
});

describe("files that are not lists", () => {
  it("an old .xls is 415; binary junk, a missing column and a zip bomb are clear 4xx on the dry run", async () => {
    const xls = new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0, 0, 0]);
    const refused = await upload(app, importPath(), fx.keys.enterpriseA1.STAFF, xls, {}, {}, "old.xls");
    expect(refused.status).toBe(415);
    expect(refused.json.code).toBe("FILE_XLS_UNSUPPORTED");
    const dry = `/v1/campaigns/${campaignId}/ticket-lists/validate-file`;
    const junk = await upload(app, dry, fx.keys.enterpriseA1.STAFF, new Uint8Array(randomBytes(4096)));
    expect([400, 415]).toContain(junk.status);
    expect(junk.json.code).toMatch(/^FILE_/);
    const noMobile = await upload(app, dry, fx.keys.enterpriseA1.STAFF, new Uint8Array(Buffer.from("姓名,身份证号,目的地,出发日期\n张三,1,商丘,2027-01-25\n")));
    expect(noMobile.status).toBe(400);
    expect(noMobile.json).toMatchObject({ code: "FILE_MISSING_COLUMNS", missing: ["mobile"] });
    const inflated = 64 * 1024 * 1024;
    const bomb = buildXlsx({ sheets: [{ name: "S", xml: "", compressed: deflateRawSync(Buffer.alloc(inflated, 0x20)), declaredSize: inflated }] });
    const bombed = await upload(app, dry, fx.keys.enterpriseA1.STAFF, new Uint8Array(bomb), {}, {}, "bomb.xlsx");
    expect(bombed.status).toBe(413);
    expect(bombed.json.code).toBe("FILE_XLSX_TOO_LARGE");
    const wide = buildXlsx({ sheets: [{ name: "S", xml: worksheetXml(inlineRow(1, Array.from({ length: 26 }, (_, i) => `c${i}`))) }] });
    expect((await upload(app, dry, fx.keys.enterpriseA1.STAFF, new Uint8Array(wide), {}, {}, "wide.xlsx")).json.code).toBe("FILE_MISSING_COLUMNS");
  });

  it("a file the worker cannot read fails the job with its code and leaves nothing", async () => {
    const job = await importAndRun(new Uint8Array(Buffer.from("name,mobile\n张三,13900000000\n")));
    expect(job).toMatchObject({ status: "FAILED", failure: { code: "FILE_MISSING_COLUMNS", message: { zh: expect.any(String), en: expect.any(String) } } });
  });

  it("the dry run reports GBK and BOM files row by row and stores nothing", async () => {
    const before = await database.db.ticketList.count();
    const rows = [...people(4000, 3), person(4003, { mobile: "110" })];
    for (const file of [gbkCsv(rows), bomCsv(rows)]) {
      const res = await upload(app, `/v1/campaigns/${campaignId}/ticket-lists/validate-file`, fx.keys.enterpriseA1.STAFF, file);
      expect(res.status).toBe(200);
      expect(res.json).toMatchObject({ fileKind: "csv", rowsTotal: 4, validRows: 3, invalidRows: 1 });
      expect(res.json.rejectedRows[0]).toMatchObject({ row: 5, errors: [{ column: "手机号", code: "MOBILE_FORMAT" }] });
    }
    expect(await database.db.ticketList.count()).toBe(before);
  });
});

describe("idempotency and crash recovery", () => {
  it("the same file (or Idempotency-Key) returns the first import", async () => {
    const file = utf8Csv(people(5000, 3));
    const first = await upload(app, importPath(), fx.keys.enterpriseA2.STAFF, file, {}, { "idempotency-key": "upload-5000" });
    const again = await upload(app, importPath(), fx.keys.enterpriseA2.STAFF, file, {}, { "idempotency-key": "upload-5000" });
    const sameBytes = await upload(app, importPath(), fx.keys.enterpriseA2.STAFF, file);
    expect(again.json).toMatchObject({ replayed: true, job: { id: first.json.job.id } });
    expect(sameBytes.json).toMatchObject({ replayed: true, job: { id: first.json.job.id } });
    const other = await upload(app, importPath(), fx.keys.enterpriseA2.STAFF, utf8Csv(people(5010, 1)), {}, { "idempotency-key": "upload-5000" });
    expect(other.status).toBe(409);
    expect(await database.db.importJob.count({ where: { orgId: fx.enterpriseA2.id } })).toBe(1);
  });

  it("a worker that dies after its first committed batch is resumed by the retry: every row exactly once", async () => {
    const pool = jobPool; // the worker's own pool, as workers/processors/intake.ts runs it
    const rows = people(6000, 25);
    const res = await upload(app, importPath(), fx.keys.enterpriseA2.STAFF, utf8Csv(rows), { mode: "ACCEPT_VALID" });
    const importId = res.json.job.id;
    let batches = 0;
    await expect(
      runImport(system(), importId, {
        batchRows: 10,
        pool,
        afterBatch: () => {
          batches++;
          throw new Error("worker killed");
        },
      }),
    ).rejects.toThrow("worker killed");
    expect(batches).toBe(1);
    const crashed = await database.db.importJob.findUniqueOrThrow({ where: { id: importId } });
    expect(crashed).toMatchObject({ status: "RUNNING", checkpointRow: 11, rowsCommitted: 10, rowsDone: 10 });
    expect(await database.db.traveler.count({ where: { listId: crashed.listId } })).toBe(10);
    const progress = await call(app, "GET", `/v1/imports/${importId}`, { key: fx.keys.enterpriseA2.READ_ONLY });
    expect(progress.json).toMatchObject({ status: "RUNNING", rowsDone: 10 });

    const resumed = await runImport(system(), importId, { batchRows: 10, pool });
    expect(resumed).toMatchObject({ status: "SUCCEEDED", rowsDone: 25, rowsCommitted: 25, attempts: 2 });
    const stored = await database.db.traveler.findMany({ where: { listId: crashed.listId }, select: { rowNumber: true, idHash: true } });
    expect(stored.map((t) => t.rowNumber).sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, i) => i + 2));
    expect(new Set(stored.map((t) => t.idHash)).size).toBe(25);
    // A third delivery of the finished job changes nothing.
    expect(await runImport(system(), importId, { pool: jobPool })).toMatchObject({ status: "SUCCEEDED", rowsCommitted: 25 });
    expect(await database.db.traveler.count({ where: { listId: crashed.listId } })).toBe(25);
  });

  it("two workers racing on one import job (a stalled job delivered twice) commit every row exactly once", async () => {
    // Two processes' pools, as two intake workers would have them.
    const pools = [new pg.Pool({ connectionString: database.url, max: 2 }), new pg.Pool({ connectionString: database.url, max: 2 })];
    try {
      const rows = people(6200, 40);
      const res = await upload(app, importPath(), fx.keys.enterpriseA2.STAFF, utf8Csv(rows), { mode: "ACCEPT_VALID" });
      const importId = res.json.job.id;
      // Small batches and a yield after each commit, so that the two runs interleave batch by batch.
      const outcomes = await Promise.allSettled(
        pools.map((pool) => runImport(system(), importId, { batchRows: 3, pool, afterBatch: () => new Promise((resolve) => setImmediate(resolve)) })),
      );
      // Whichever lost a batch to the other stopped with the plain error a retried delivery recovers from.
      for (const outcome of outcomes) {
        if (outcome.status === "rejected") expect(String(outcome.reason)).toMatch(/another worker moved it/);
      }
      expect(outcomes.some((o) => o.status === "fulfilled" && o.value?.status === "SUCCEEDED")).toBe(true);
      const job = await database.db.importJob.findUniqueOrThrow({ where: { id: importId } });
      expect(job).toMatchObject({ status: "SUCCEEDED", rowsDone: 40, rowsCommitted: 40, errorCount: 0, checkpointRow: 41 });
      const stored = await database.db.traveler.findMany({ where: { listId: job.listId }, select: { rowNumber: true, idHash: true } });
      expect(stored.map((t) => t.rowNumber).sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i + 2));
      expect(new Set(stored.map((t) => t.idHash)).size).toBe(40);
      // The list and the audit trail say it finished once.
      expect(await database.db.ticketList.findUniqueOrThrow({ where: { id: job.listId } })).toMatchObject({ status: "SUBMITTED", travelerCount: 40 });
      expect(await database.db.auditEntry.count({ where: { entityId: importId, action: "ticket_list.import_succeeded" } })).toBe(1);
      // A retry of the losing delivery finds the job finished and changes nothing.
      expect(await runImport(system(), importId, { batchRows: 3, pool: pools[0]! })).toMatchObject({ status: "SUCCEEDED", rowsCommitted: 40 });
      expect(await database.db.traveler.count({ where: { listId: job.listId } })).toBe(40);
    } finally {
      await Promise.all(pools.map((pool) => pool.end()));
    }
  });
});
