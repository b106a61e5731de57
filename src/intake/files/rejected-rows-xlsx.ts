// The rows intake rejected, as an .xlsx to fix and upload again: the original columns (as text,
// so Excel cannot damage ID numbers on the way back), the original row number and the errors.
// Streams through exceljs's WorkbookWriter so a large rejection costs little memory. Node only.
import { PassThrough } from "node:stream";
import type { RowError } from "../validate-row.ts";
import type { CellValue } from "./sheet-row.ts";

export interface RejectedRow {
  rowNumber: number;
  record: readonly CellValue[];
  errors: readonly RowError[];
}

function asText(value: CellValue | undefined): string {
  if (value === null || value === undefined) return "";
  return value instanceof Date ? value.toISOString().slice(0, 10) : String(value);
}

const describe = (errors: readonly RowError[], language: "zh" | "en") =>
  errors.map((e) => (language === "zh" ? `【${e.column}】${e.message.zh}` : `[${e.column}] ${e.message.en}`)).join("；");

/** `headers` are the file's own header cells, in file order. */
export async function buildRejectedRowsXlsx(headers: readonly CellValue[], rows: Iterable<RejectedRow>): Promise<Buffer> {
  const output = new PassThrough();
  const chunks: Buffer[] = [];
  output.on("data", (chunk: Buffer) => chunks.push(chunk));
  const finished = new Promise<void>((resolve, reject) => {
    output.on("end", resolve);
    output.on("error", reject);
  });
  // Loaded on first use: exceljs is large, and an import worker that never builds a file should not hold it.
  const { default: ExcelJS } = await import("exceljs");
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: output, useStyles: true, useSharedStrings: false });
  const sheet = workbook.addWorksheet("被拒绝的行", { views: [{ state: "frozen", ySplit: 1 }] });
  const originalColumns = headers.map((header) => ({ header: asText(header), width: 20, style: { numFmt: "@" } }));
  sheet.columns = [
    ...originalColumns,
    { header: "原行号 (row)", width: 12 },
    { header: "错误说明", width: 60 },
    { header: "error", width: 60 },
  ];
  sheet.getRow(1).font = { bold: true };
  sheet.getRow(1).commit();
  for (const row of rows) {
    const cells = headers.map((_, column) => asText(row.record[column]));
    sheet.addRow([...cells, row.rowNumber, describe(row.errors, "zh"), describe(row.errors, "en")]).commit();
  }
  sheet.commit();
  await workbook.commit();
  await finished;
  return Buffer.concat(chunks);
}
