// Streaming .xlsx reader for group lists: the first (or a named) worksheet, row by row, with
// shared strings, inline and rich text, numbers, booleans and date-formatted cells as Dates.
// exceljs's WorkbookReader reads ~20k rows/s here and cannot cap inflated sizes, so this reads the
// parts it needs with yauzl + saxes. Runs in the Node API and worker.
import { SaxesParser, type SaxesTagPlain } from "saxes";
import { XlsxArchive } from "./xlsx-archive.ts";
import { IntakeFileError } from "./file-error.ts";
import { isDateFormat } from "./xlsx-number-formats.ts";
import { DEFAULT_LIMITS, withoutTrailingEmpty, type CellValue, type SheetLimits, type SheetRow } from "./sheet-row.ts";

export interface XlsxReadOptions extends SheetLimits {
  /** Read this worksheet instead of the first. */
  sheetName?: string;
  /** Inflated bytes of all parts read (default 1 GiB: a 1,000,000-row sheet is ~400 MB). */
  maxUncompressedBytes?: number;
  /** Inflated/compressed ratio of one large part (default 200; real sheets are 5–30). */
  maxCompressionRatio?: number;
  /** Characters (plus 32 per string) of the shared-string table, which is held in memory
   * (default 256 Mi). */
  maxSharedStringBytes?: number;
}

const MAX_ENTRIES = 10_000;
const SHARED_STRING_OVERHEAD = 32;
const MS_PER_DAY = 86_400_000;
const EXCEL_1900_UNIX_EPOCH = 25_569;
const EXCEL_1904_UNIX_EPOCH = 24_107;

const invalid = (cause?: unknown) => new IntakeFileError("FILE_XLSX_INVALID", {}, cause);

/** Runs a SAX parse over streamed text; handlers are called synchronously per chunk. */
async function* parseXml(
  chunks: AsyncIterable<string>,
  setup: (parser: SaxesParser) => void,
): AsyncGenerator<void> {
  // Position tracking costs almost half of the parse, and errors name the part, not the line.
  const parser = new SaxesParser({ position: false });
  setup(parser);
  try {
    for await (const chunk of chunks) {
      parser.write(chunk);
      yield;
    }
    parser.close();
  } catch (error) {
    throw error instanceof IntakeFileError ? error : invalid(error);
  }
}

async function parseWhole(chunks: AsyncIterable<string>, setup: (parser: SaxesParser) => void): Promise<void> {
  for await (const _ of parseXml(chunks, setup)) {
    // handlers collect what they need
  }
}

function resolvePartPath(base: string, target: string): string {
  if (target.startsWith("/")) return target.slice(1);
  const parts = base.split("/").slice(0, -1);
  for (const segment of target.split("/")) {
    if (segment === "..") parts.pop();
    else if (segment !== ".") parts.push(segment);
  }
  return parts.join("/");
}

const relsPathOf = (part: string) => {
  const slash = part.lastIndexOf("/");
  return `${part.slice(0, slash + 1)}_rels/${part.slice(slash + 1)}.rels`;
};

async function readRelationships(archive: XlsxArchive, part: string): Promise<{ type: string; target: string; id: string }[]> {
  const path = relsPathOf(part);
  if (!archive.has(path)) return [];
  const relationships: { type: string; target: string; id: string }[] = [];
  await parseWhole(archive.text(path), (parser) => {
    parser.on("opentag", (tag) => {
      if (tag.name === "Relationship") {
        relationships.push({
          id: String(tag.attributes.Id ?? ""),
          type: String(tag.attributes.Type ?? ""),
          target: resolvePartPath(part, String(tag.attributes.Target ?? "")),
        });
      }
    });
  });
  return relationships;
}

interface Workbook {
  sheets: { name: string; path: string }[];
  date1904: boolean;
  sharedStringsPath?: string;
  stylesPath?: string;
}

async function readWorkbook(archive: XlsxArchive): Promise<Workbook> {
  const rootRelationships = await readRelationships(archive, "");
  const workbookPath = rootRelationships.find((r) => r.type.endsWith("/officeDocument"))?.target ?? "xl/workbook.xml";
  if (!archive.has(workbookPath)) throw invalid(new Error("no workbook part"));
  const relationships = await readRelationships(archive, workbookPath);
  const targetById = new Map(relationships.map((r) => [r.id, r.target]));
  const sheets: Workbook["sheets"] = [];
  let date1904 = false;
  await parseWhole(archive.text(workbookPath), (parser) => {
    parser.on("opentag", (tag) => {
      if (tag.name === "workbookPr") date1904 = ["1", "true"].includes(String(tag.attributes.date1904 ?? ""));
      if (tag.name === "sheet") {
        const path = targetById.get(String(tag.attributes["r:id"] ?? ""));
        if (path) sheets.push({ name: String(tag.attributes.name ?? ""), path });
      }
    });
  });
  return {
    sheets,
    date1904,
    sharedStringsPath: relationships.find((r) => r.type.endsWith("/sharedStrings"))?.target,
    stylesPath: relationships.find((r) => r.type.endsWith("/styles"))?.target,
  };
}

/** For each cell style index (the `s` attribute), whether it shows numbers as dates. */
async function readDateStyles(archive: XlsxArchive, path: string | undefined): Promise<boolean[]> {
  if (!path || !archive.has(path)) return [];
  const customFormats = new Map<number, string>();
  const styleFormats: number[] = [];
  let inCellXfs = false;
  await parseWhole(archive.text(path), (parser) => {
    parser.on("opentag", (tag) => {
      if (tag.name === "numFmt") customFormats.set(Number(tag.attributes.numFmtId), String(tag.attributes.formatCode ?? ""));
      else if (tag.name === "cellXfs") inCellXfs = true;
      else if (tag.name === "xf" && inCellXfs) styleFormats.push(Number(tag.attributes.numFmtId ?? 0));
    });
    parser.on("closetag", (tag) => {
      if (tag.name === "cellXfs") inCellXfs = false;
    });
  });
  return styleFormats.map((id) => isDateFormat(id, customFormats));
}

// <si> holds <t> or rich-text runs <r><t>; <rPh> phonetic guides are not part of the value.
async function readSharedStrings(archive: XlsxArchive, path: string | undefined, maxBytes: number): Promise<string[]> {
  if (!path || !archive.has(path)) return [];
  const strings: string[] = [];
  let current = "";
  let inText = false;
  let inPhonetic = false;
  let size = 0;
  await parseWhole(archive.text(path), (parser) => {
    parser.on("opentag", (tag) => {
      if (tag.name === "si") current = "";
      else if (tag.name === "rPh") inPhonetic = true;
      else if (tag.name === "t" && !inPhonetic) inText = true;
    });
    parser.on("text", (text) => {
      if (!inText) return;
      current += text;
      size += text.length;
      if (size > maxBytes) throw new IntakeFileError("FILE_XLSX_TOO_LARGE", { limit: maxBytes });
    });
    parser.on("closetag", (tag) => {
      if (tag.name === "t") inText = false;
      else if (tag.name === "rPh") inPhonetic = false;
      else if (tag.name === "si") {
        strings.push(current);
        // Millions of empty <si/> cost memory too: each string counts its slot.
        size += SHARED_STRING_OVERHEAD;
        if (size > maxBytes) throw new IntakeFileError("FILE_XLSX_TOO_LARGE", { limit: maxBytes });
      }
    });
  });
  return strings;
}

/** "AB12" → 28 (1-based column); undefined for a malformed reference. */
function columnOfReference(reference: string): number | undefined {
  let column = 0;
  let i = 0;
  for (; i < reference.length; i++) {
    const code = reference.charCodeAt(i);
    if (code < 65 || code > 90) break;
    column = column * 26 + (code - 64);
  }
  return i === 0 || i > 3 ? undefined : column;
}

/** Rows of one worksheet, header included. Throws IntakeFileError on a file that cannot be read. */
export async function* readXlsxRows(input: Uint8Array | string, options: XlsxReadOptions = {}): AsyncGenerator<SheetRow> {
  const { maxColumns, maxFieldLength, maxRows } = { ...DEFAULT_LIMITS, ...options };
  const archive = await XlsxArchive.open(input, {
    maxUncompressedBytes: options.maxUncompressedBytes ?? 1024 * 1024 * 1024,
    maxCompressionRatio: options.maxCompressionRatio ?? 200,
    maxEntries: MAX_ENTRIES,
  });
  try {
    const workbook = await readWorkbook(archive);
    const sheet =
      options.sheetName === undefined
        ? workbook.sheets[0]
        : workbook.sheets.find((s) => s.name === options.sheetName) ??
          workbook.sheets.find((s) => s.name.trim().toLowerCase() === options.sheetName!.trim().toLowerCase());
    if (!sheet) throw new IntakeFileError("FILE_XLSX_SHEET_NOT_FOUND", options.sheetName ? { sheet: options.sheetName } : {});
    if (!archive.has(sheet.path)) throw invalid(new Error(`missing worksheet ${sheet.path}`));
    const dateStyles = await readDateStyles(archive, workbook.stylesPath);
    const sharedStrings = await readSharedStrings(
      archive,
      workbook.sharedStringsPath,
      options.maxSharedStringBytes ?? 256 * 1024 * 1024,
    );
    const epoch = workbook.date1904 ? EXCEL_1904_UNIX_EPOCH : EXCEL_1900_UNIX_EPOCH;

    const ready: SheetRow[] = [];
    let rowsSeen = 0;
    let rowNumber = 0;
    let record: CellValue[] = [];
    let column = 0;
    let cellType = "";
    let cellStyle = 0;
    let cellText = "";
    let collecting = false;
    let inInlineString = false;
    let inPhonetic = false;

    const finishCell = () => {
      let value: CellValue;
      if (cellType === "s") {
        const index = Number(cellText);
        if (!Number.isInteger(index) || index < 0 || index >= sharedStrings.length) throw invalid(new Error("bad shared string index"));
        value = sharedStrings[index]!;
      } else if (cellType === "inlineStr" || cellType === "str" || cellType === "e") value = cellText;
      else if (cellType === "b") value = cellText === "1" || cellText === "true";
      else if (cellType === "d") {
        const date = new Date(cellText);
        value = Number.isNaN(date.getTime()) ? cellText : date;
      } else if (cellText === "") value = null;
      else {
        const number = Number(cellText);
        if (Number.isNaN(number)) throw invalid(new Error("bad number"));
        value = dateStyles[cellStyle] ? new Date(Math.round((number - epoch) * MS_PER_DAY)) : number;
      }
      if (value === null || value === "") return;
      if (column > maxColumns) throw new IntakeFileError("FILE_TOO_MANY_COLUMNS", { row: rowNumber, limit: maxColumns });
      if (typeof value === "string" && value.length > maxFieldLength) {
        throw new IntakeFileError("FILE_FIELD_TOO_LONG", { row: rowNumber, column, limit: maxFieldLength });
      }
      while (record.length < column - 1) record.push(null);
      record[column - 1] = value;
    };

    const rows = parseXml(archive.text(sheet.path), (parser) => {
      parser.on("opentag", (tag: SaxesTagPlain) => {
        switch (tag.name) {
          case "row": {
            const declared = Number(tag.attributes.r);
            rowNumber = Number.isInteger(declared) && declared > rowNumber ? declared : rowNumber + 1;
            record = [];
            column = 0;
            break;
          }
          case "c": {
            const reference = tag.attributes.r;
            const referenced = typeof reference === "string" ? columnOfReference(reference) : undefined;
            column = referenced ?? column + 1;
            cellType = String(tag.attributes.t ?? "n");
            cellStyle = Number(tag.attributes.s ?? 0);
            cellText = "";
            break;
          }
          case "v":
            collecting = true;
            break;
          case "is":
            inInlineString = true;
            break;
          case "rPh":
            inPhonetic = true;
            break;
          case "t":
            collecting = inInlineString && !inPhonetic;
            break;
        }
      });
      parser.on("text", (text) => {
        if (!collecting) return;
        cellText += text;
        if (cellText.length > maxFieldLength) {
          throw new IntakeFileError("FILE_FIELD_TOO_LONG", { row: rowNumber, column, limit: maxFieldLength });
        }
      });
      parser.on("closetag", (tag) => {
        switch (tag.name) {
          case "v":
          case "t":
            collecting = false;
            break;
          case "is":
            inInlineString = false;
            break;
          case "rPh":
            inPhonetic = false;
            break;
          case "c":
            finishCell();
            break;
          case "row": {
            const trimmed = withoutTrailingEmpty(record);
            if (trimmed.length === 0) break;
            if (++rowsSeen > maxRows + 1) throw new IntakeFileError("FILE_TOO_MANY_ROWS", { limit: maxRows });
            ready.push({ rowNumber, record: trimmed });
            break;
          }
        }
      });
    });
    for await (const _ of rows) {
      yield* ready;
      ready.length = 0;
    }
    yield* ready;
  } finally {
    archive.close();
  }
}
