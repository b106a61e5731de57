// An uploaded group-list file → its header mapping and its data rows as canonical records,
// streamed: CSV straight from the byte chunks, XLSX from the assembled archive (a zip needs
// random access) with the sheet XML still read as a stream.
import { AppError } from "../../errors.ts";
import { readCsvRows } from "../../intake/files/csv-reader.ts";
import { IntakeFileError } from "../../intake/files/file-error.ts";
import { detectFileKind, type FileKind } from "../../intake/files/file-kind.ts";
import type { CellValue, SheetRow } from "../../intake/files/sheet-row.ts";
import { readXlsxRows } from "../../intake/files/xlsx-reader.ts";
import { mapHeaders, recordFromCells, type HeaderMapping } from "../../intake/headers.ts";
import type { RawTravelerRecord } from "../../intake/validate-row.ts";

export type ListFileKind = Exclude<FileKind, "xls">;

/** The kind of an upload from its first bytes; old .xls / encrypted workbooks are refused. */
export function listFileKind(firstBytes: Uint8Array): ListFileKind {
  if (firstBytes.byteLength === 0) throw new IntakeFileError("FILE_EMPTY");
  const kind = detectFileKind(firstBytes);
  if (kind === "xls") throw new IntakeFileError("FILE_XLS_UNSUPPORTED");
  return kind;
}

async function concatAll(chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let length = 0;
  for await (const chunk of chunks) {
    parts.push(chunk);
    length += chunk.byteLength;
  }
  const all = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    all.set(part, offset);
    offset += part.byteLength;
  }
  return all;
}

export interface ListFileOptions {
  sheetName?: string;
  maxBytes: number;
}

export function sheetRows(kind: ListFileKind, source: Uint8Array | AsyncIterable<Uint8Array>, options: ListFileOptions): AsyncGenerator<SheetRow> {
  if (kind === "csv") return readCsvRows(source, { maxBytes: options.maxBytes });
  return (async function* () {
    const bytes = source instanceof Uint8Array ? source : await concatAll(source);
    yield* readXlsxRows(bytes, { sheetName: options.sheetName });
  })();
}

export interface ListRow {
  rowNumber: number;
  cells: CellValue[];
  record: RawTravelerRecord;
}

export interface OpenedListFile {
  headers: CellValue[];
  mapping: HeaderMapping;
  rows: AsyncGenerator<ListRow>;
}

/** Reads the header row and maps it; a file without a usable header is one clear 400. */
export async function openListFile(rows: AsyncGenerator<SheetRow>): Promise<OpenedListFile> {
  const first = await rows.next();
  if (first.done) throw new IntakeFileError("FILE_EMPTY");
  const headers = first.value.record;
  const mapped = mapHeaders(headers);
  if (!mapped.ok) {
    await rows.return(undefined);
    throw new AppError("VALIDATION_FAILED", {
      code: mapped.error.code,
      message: mapped.error.message,
      extensions: { ...(mapped.error.missing ? { missing: mapped.error.missing } : {}), ...(mapped.error.duplicated ? { duplicated: mapped.error.duplicated } : {}) },
    });
  }
  const { mapping } = mapped;
  return {
    headers,
    mapping,
    rows: (async function* () {
      for await (const row of rows) yield { rowNumber: row.rowNumber, cells: row.record, record: recordFromCells(row.record, mapping) };
    })(),
  };
}
