// The header row of a group list, in whatever words and order the enterprise used, mapped to the
// canonical fields. The template's own headers ("身份证号 (ID number)") map back too.
import type { LocalisedMessage } from "../errors.ts";
import { cellText } from "./fields/cell-text.ts";

export const CANONICAL_FIELDS = [
  "name",
  "idNumber",
  "mobile",
  "destination",
  "earliestDate",
  "latestDate",
  "group",
  "preference",
  "remark",
] as const;
export type CanonicalField = (typeof CANONICAL_FIELDS)[number];

/** A list without latestDate means one departure date (出发日期). */
export const REQUIRED_FIELDS: readonly CanonicalField[] = ["name", "idNumber", "mobile", "destination", "earliestDate"];

/** The template's headers: Chinese, with an English hint. */
export const TEMPLATE_HEADERS: Record<CanonicalField, string> = {
  name: "姓名 (name)",
  idNumber: "身份证号 (id_number)",
  mobile: "手机号 (mobile)",
  destination: "目的地 (destination)",
  earliestDate: "最早出发日期 (earliest_date)",
  latestDate: "最晚出发日期 (latest_date)",
  group: "同行组 (group)",
  preference: "交通方式偏好 (preference)",
  remark: "备注 (remark)",
};

/** The field's name for people, for error messages. */
export const FIELD_LABELS: Record<CanonicalField, LocalisedMessage> = {
  name: { zh: "姓名", en: "name" },
  idNumber: { zh: "身份证号", en: "ID number" },
  mobile: { zh: "手机号", en: "mobile" },
  destination: { zh: "目的地", en: "destination" },
  earliestDate: { zh: "最早出发日期", en: "earliest departure date" },
  latestDate: { zh: "最晚出发日期", en: "latest departure date" },
  group: { zh: "同行组", en: "travel group" },
  preference: { zh: "交通方式偏好", en: "transport preference" },
  remark: { zh: "备注", en: "remark" },
};

const ALIASES: Record<CanonicalField, string[]> = {
  name: ["姓名", "名字", "职工姓名", "员工姓名", "旅客姓名", "乘客姓名", "name", "fullname", "travelername"],
  idNumber: [
    "身份证号",
    "身份证号码",
    "身份证",
    "证件号码",
    "证件号",
    "公民身份号码",
    "居民身份证号码",
    "idnumber",
    "idno",
    "idcard",
    "idcardnumber",
    "nationalid",
  ],
  mobile: ["手机号", "手机号码", "手机", "联系电话", "电话", "联系方式", "mobile", "phone", "mobilephone", "phonenumber", "cellphone"],
  destination: ["目的地", "返乡地", "返乡地点", "家乡", "籍贯", "到达地", "回乡地址", "destination", "hometown"],
  earliestDate: ["最早出发日期", "出发日期", "返乡日期", "计划出发日期", "earliestdate", "departuredate", "earliestdeparture"],
  latestDate: ["最晚出发日期", "latestdate", "latestdeparture"],
  group: ["同行组", "同行", "同行人组", "分组", "组别", "group", "grouptag", "travelgroup"],
  preference: ["交通方式偏好", "交通方式", "出行方式", "preference", "transport", "transportpreference"],
  remark: ["备注", "说明", "remark", "remarks", "note", "notes", "comment"],
};

// Lower case, no spaces/underscores/hyphens/required-marks, so "ID Number", "id_number" and
// "*身份证号" are one key.
const headerKey = (text: string) => text.toLowerCase().replace(/[\s_\-*:：]/g, "");
const FIELD_BY_ALIAS = new Map(
  Object.entries(ALIASES).flatMap(([field, aliases]) => aliases.map((alias) => [headerKey(alias), field as CanonicalField])),
);

function fieldOfHeader(header: string): CanonicalField | undefined {
  const direct = FIELD_BY_ALIAS.get(headerKey(header));
  if (direct) return direct;
  // "身份证号 (id_number)" / "身份证号（必填）": try the text outside the brackets, then inside.
  const outside = header.replace(/[(（[【][^)）\]】]*[)）\]】]/g, "");
  const inside = [...header.matchAll(/[(（[【]([^)）\]】]*)[)）\]】]/g)].map((m) => m[1] ?? "");
  for (const candidate of [outside, ...inside]) {
    const field = FIELD_BY_ALIAS.get(headerKey(candidate));
    if (field) return field;
  }
  return undefined;
}

export interface HeaderMapping {
  /** Column index → field (undefined for unknown or blank columns). */
  fieldByColumn: (CanonicalField | undefined)[];
  columnByField: Partial<Record<CanonicalField, number>>;
  /** The header text as the file wrote it, to name the column in row errors. */
  headerByField: Partial<Record<CanonicalField, string>>;
  unknownColumns: { column: number; header: string }[];
}

export type HeaderErrorCode = "FILE_NO_HEADER" | "FILE_MISSING_COLUMNS" | "FILE_DUPLICATE_COLUMN";

export interface HeaderError {
  code: HeaderErrorCode;
  message: LocalisedMessage;
  missing?: CanonicalField[];
  duplicated?: { field: CanonicalField; headers: string[] };
}

export function mapHeaders(cells: readonly unknown[]): { ok: true; mapping: HeaderMapping } | { ok: false; error: HeaderError } {
  const headers = cells.map((cell) => cellText(cell));
  if (headers.every((header) => header === "")) {
    return {
      ok: false,
      error: { code: "FILE_NO_HEADER", message: { zh: "文件第一行应为表头", en: "The first row of the file must be the header row" } },
    };
  }
  const mapping: HeaderMapping = { fieldByColumn: [], columnByField: {}, headerByField: {}, unknownColumns: [] };
  for (const [column, header] of headers.entries()) {
    if (header === "") {
      mapping.fieldByColumn.push(undefined);
      continue;
    }
    const field = fieldOfHeader(header);
    mapping.fieldByColumn.push(field);
    if (!field) {
      mapping.unknownColumns.push({ column, header });
      continue;
    }
    const earlier = mapping.headerByField[field];
    if (earlier !== undefined) {
      const label = FIELD_LABELS[field];
      return {
        ok: false,
        error: {
          code: "FILE_DUPLICATE_COLUMN",
          message: {
            zh: `表头“${earlier}”和“${header}”都表示${label.zh}，请只保留一列`,
            en: `Headers "${earlier}" and "${header}" both mean ${label.en}; keep one column`,
          },
          duplicated: { field, headers: [earlier, header] },
        },
      };
    }
    mapping.columnByField[field] = column;
    mapping.headerByField[field] = header;
  }
  const missing = REQUIRED_FIELDS.filter((field) => mapping.columnByField[field] === undefined);
  if (missing.length > 0) {
    return {
      ok: false,
      error: {
        code: "FILE_MISSING_COLUMNS",
        message: {
          zh: `缺少必填列：${missing.map((f) => FIELD_LABELS[f].zh).join("、")}`,
          en: `Required columns are missing: ${missing.map((f) => FIELD_LABELS[f].en).join(", ")}`,
        },
        missing,
      },
    };
  }
  return { ok: true, mapping };
}

/** One data row's cells as a record of canonical fields (unknown columns dropped). */
export function recordFromCells(cells: readonly unknown[], mapping: HeaderMapping): Partial<Record<CanonicalField, unknown>> {
  const record: Partial<Record<CanonicalField, unknown>> = {};
  for (const [field, column] of Object.entries(mapping.columnByField) as [CanonicalField, number][]) {
    record[field] = cells[column];
  }
  return record;
}
