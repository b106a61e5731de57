// A file that cannot be read as a group list: one clear 4xx error with a stable code, never a
// crash. Row-level problems are RowErrors instead; these stop the whole file.
import { AppError, type BaseErrorCode } from "../../errors.ts";

const FILE_ERRORS = {
  FILE_EMPTY: { base: "VALIDATION_FAILED", zh: "文件是空的", en: "The file is empty" },
  FILE_TOO_LARGE: { base: "PAYLOAD_TOO_LARGE", zh: "文件超过大小限制", en: "The file exceeds the size limit" },
  FILE_TOO_MANY_ROWS: { base: "PAYLOAD_TOO_LARGE", zh: "文件行数超过上限", en: "The file has more rows than allowed" },
  FILE_TOO_MANY_COLUMNS: { base: "VALIDATION_FAILED", zh: "文件列数过多", en: "The file has too many columns" },
  FILE_FIELD_TOO_LONG: { base: "VALIDATION_FAILED", zh: "某个单元格内容过长", en: "A cell is too long" },
  FILE_NOT_TEXT: {
    base: "UNSUPPORTED_MEDIA_TYPE",
    zh: "文件不是可识别的 CSV 文本（含有二进制内容或无法识别的编码）",
    en: "The file is not readable CSV text (binary content or an unknown encoding)",
  },
  FILE_CSV_MALFORMED: {
    base: "VALIDATION_FAILED",
    zh: "CSV 格式错误（例如引号未闭合）",
    en: "The CSV is malformed (e.g. an unclosed quote)",
  },
  FILE_XLS_UNSUPPORTED: {
    base: "UNSUPPORTED_MEDIA_TYPE",
    zh: "不支持旧版 .xls 或加密的 Excel 文件，请另存为 .xlsx 或 CSV",
    en: "Old .xls or encrypted Excel files are not supported; save as .xlsx or CSV",
  },
  FILE_XLSX_INVALID: {
    base: "VALIDATION_FAILED",
    zh: "Excel 文件已损坏或格式不正确",
    en: "The Excel file is damaged or not a valid .xlsx",
  },
  FILE_XLSX_TOO_LARGE: {
    base: "PAYLOAD_TOO_LARGE",
    zh: "Excel 文件解压后过大或压缩比异常，已拒绝处理",
    en: "The Excel file expands to too much data or has an abnormal compression ratio; refused",
  },
  FILE_XLSX_SHEET_NOT_FOUND: {
    base: "VALIDATION_FAILED",
    zh: "Excel 文件中没有指定的工作表",
    en: "The Excel file has no such worksheet",
  },
} as const satisfies Record<string, { base: BaseErrorCode; zh: string; en: string }>;

export type IntakeFileErrorCode = keyof typeof FILE_ERRORS;

/** Where and which limit: `row` is the spreadsheet row number, `column` 1-based. */
export interface IntakeFileErrorDetails {
  row?: number;
  column?: number;
  limit?: number;
  sheet?: string;
}

export class IntakeFileError extends AppError {
  readonly fileCode: IntakeFileErrorCode;
  readonly details: IntakeFileErrorDetails;

  constructor(code: IntakeFileErrorCode, details: IntakeFileErrorDetails = {}, cause?: unknown) {
    const entry = FILE_ERRORS[code];
    const where = [
      details.row !== undefined ? { zh: `第 ${details.row} 行`, en: `row ${details.row}` } : undefined,
      details.column !== undefined ? { zh: `第 ${details.column} 列`, en: `column ${details.column}` } : undefined,
      details.limit !== undefined ? { zh: `上限 ${details.limit}`, en: `limit ${details.limit}` } : undefined,
    ].filter((part) => part !== undefined);
    const message = {
      zh: where.length > 0 ? `${entry.zh}（${where.map((p) => p.zh).join("，")}）` : entry.zh,
      en: where.length > 0 ? `${entry.en} (${where.map((p) => p.en).join(", ")})` : entry.en,
    };
    super(entry.base, { code, message, extensions: { ...details }, cause });
    this.name = "IntakeFileError";
    this.fileCode = code;
    this.details = details;
  }
}
