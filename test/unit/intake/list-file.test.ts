// The pieces together, as the import job will use them: a synthetic list with realistic mistakes,
// saved as Chinese Excel saves it (GBK CSV, or .xlsx), read back, validated row by row, duplicates
// found, and the rejected rows written out for the enterprise to fix.
import ExcelJS from "exceljs";
import iconv from "iconv-lite";
import { describe, expect, it } from "vitest";
import { readCsvRows } from "../../../src/intake/files/csv-reader.ts";
import { buildRejectedRowsXlsx, type RejectedRow } from "../../../src/intake/files/rejected-rows-xlsx.ts";
import type { SheetRow } from "../../../src/intake/files/sheet-row.ts";
import { readXlsxRows } from "../../../src/intake/files/xlsx-reader.ts";
import { CANONICAL_FIELDS, TEMPLATE_HEADERS, mapHeaders, recordFromCells } from "../../../src/intake/headers.ts";
import { generateTravelerRows, type SyntheticTraveler } from "../../../src/intake/synthetic.ts";
import { findDuplicatesInList, validateRow } from "../../../src/intake/validate-row.ts";

const window = { start: "2027-01-22", end: "2027-02-05" };
const travellers = generateTravelerRows(3_000, 2027, { window, faultShare: 0.05 });
// The same person entered twice, as happens when two clerks merge their sheets.
const twinIndex = travellers.findIndex((row) => row.fault === null);
const listed: SyntheticTraveler[] = [...travellers, { ...travellers[twinIndex]!, mobile: "13900000000" }];
const header = CANONICAL_FIELDS.map((field) => TEMPLATE_HEADERS[field]);

function asCsv(rows: SyntheticTraveler[]): string {
  const quote = (value: string) => (/[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);
  return [header, ...rows.map((row) => CANONICAL_FIELDS.map((field) => row[field]))].map((cells) => cells.map(quote).join(",")).join("\r\n");
}

async function asXlsx(rows: SyntheticTraveler[]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet("名单");
  sheet.addRow(header);
  for (const row of rows) sheet.addRow(CANONICAL_FIELDS.map((field) => row[field]));
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

async function importList(rows: AsyncIterable<SheetRow>) {
  let mapping: ReturnType<typeof mapHeaders> | undefined;
  const accepted: { rowNumber: number; idNumber: string }[] = [];
  const rejected: RejectedRow[] = [];
  const records = new Map<number, SheetRow["record"]>();
  for await (const row of rows) {
    if (!mapping) {
      mapping = mapHeaders(row.record);
      if (!mapping.ok) throw new Error(mapping.error.code);
      continue;
    }
    if (!mapping.ok) continue;
    records.set(row.rowNumber, row.record);
    const result = validateRow(recordFromCells(row.record, mapping.mapping), { window, today: "2026-12-01", headerByField: mapping.mapping.headerByField });
    if (result.ok) accepted.push({ rowNumber: row.rowNumber, idNumber: result.value.idNumber });
    else rejected.push({ rowNumber: row.rowNumber, record: row.record, errors: result.errors });
  }
  const duplicates = findDuplicatesInList(accepted);
  for (const [rowNumber, error] of duplicates) rejected.push({ rowNumber, record: records.get(rowNumber)!, errors: [error] });
  return {
    accepted: accepted.filter((row) => !duplicates.has(row.rowNumber)),
    rejected: rejected.sort((a, b) => a.rowNumber - b.rowNumber),
  };
}

function expectedOutcome() {
  const faulty = listed.flatMap((row, i) => (row.fault ? [{ rowNumber: i + 2, code: row.fault }] : []));
  return { faulty, duplicateRows: [twinIndex + 2, listed.length + 1] };
}

describe("a group list end to end", () => {
  it.each([
    ["GBK CSV", async () => readCsvRows(iconv.encode(asCsv(listed), "gbk"))],
    ["UTF-8 CSV with BOM", async () => readCsvRows(Buffer.from(`\ufeff${asCsv(listed)}`, "utf8"))],
    ["XLSX", async () => readXlsxRows(await asXlsx(listed))],
  ])("%s: every planted mistake and the duplicate are rejected, nothing else", async (_, open) => {
    const { accepted, rejected } = await importList(await open());
    const { faulty, duplicateRows } = expectedOutcome();
    const byRow = new Map(rejected.map((r) => [r.rowNumber, r.errors.map((e) => e.code)]));
    for (const { rowNumber, code } of faulty) expect(byRow.get(rowNumber), `row ${rowNumber}`).toEqual([code]);
    for (const rowNumber of duplicateRows) expect(byRow.get(rowNumber)).toEqual(["ID_DUPLICATE_IN_LIST"]);
    expect(rejected).toHaveLength(faulty.length + 2);
    expect(accepted.length + rejected.length).toBe(listed.length);

    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await buildRejectedRowsXlsx(header, rejected)) as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0]!;
    expect(sheet.rowCount).toBe(rejected.length + 1);
    expect(String(sheet.getRow(2).getCell(header.length + 2).value)).toMatch(/【.+】/);
  });
});
