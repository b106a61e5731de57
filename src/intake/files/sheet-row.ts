// What the CSV and XLSX readers yield: one non-empty row at a time, numbered as a spreadsheet
// numbers it (the header is row 1), with trailing empty cells dropped.

export type CellValue = string | number | boolean | Date | null;

export interface SheetRow {
  rowNumber: number;
  record: CellValue[];
}

export interface SheetLimits {
  /** Columns per row (after trailing empty cells are dropped). */
  maxColumns?: number;
  /** Characters per cell. */
  maxFieldLength?: number;
  /** Data rows: non-empty rows after the first non-empty row (the header). */
  maxRows?: number;
}

export const DEFAULT_LIMITS: Required<SheetLimits> = {
  maxColumns: 200,
  maxFieldLength: 2000,
  maxRows: 1_000_000,
};

export function withoutTrailingEmpty(record: CellValue[]): CellValue[] {
  let end = record.length;
  while (end > 0 && (record[end - 1] === null || record[end - 1] === "")) end--;
  return end === record.length ? record : record.slice(0, end);
}
