// Departure dates as people type them (2027-01-25, 2027/1/25, 2027年1月25日, 20270125), as Excel
// stores them (serial day numbers, or Date cells), checked against the campaign's window.
import { cellText } from "./cell-text.ts";
import { realDate, toIsoDate, type IsoDate } from "./iso-date.ts";
import { accept, reject, type FieldResult } from "./field-result.ts";

export type DateErrorCode = "DATE_REQUIRED" | "DATE_FORMAT" | "DATE_INVALID" | "DATE_OUTSIDE_WINDOW" | "DATE_ORDER";

export interface DateWindow {
  start: IsoDate;
  end: IsoDate;
}

const MS_PER_DAY = 86_400_000;
// Serial 25569 is 1970-01-01 in Excel's 1900 date system (which counts the fictitious 1900-02-29,
// so serials from 61 on are offset by that day; campaign dates are far beyond it).
const EXCEL_SERIAL_UNIX_EPOCH = 25_569;
// Serials for 2000-01-01 … 2099-12-31: a bare number outside them is not a departure date.
const SERIAL_MIN = 36_526;
const SERIAL_MAX = 73_050;

/** The ISO day of an Excel (1900 system) serial; a time-of-day fraction is dropped. */
export function excelSerialToIsoDate(serial: number): IsoDate {
  return toIsoDate(new Date((Math.floor(serial) - EXCEL_SERIAL_UNIX_EPOCH) * MS_PER_DAY));
}

const YMD_SEPARATED = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$/;
const YMD_COMPACT = /^(\d{4})(\d{2})(\d{2})$/;
const SERIAL = /^\d{5}(?:\.\d+)?$/;

const formatError = () =>
  reject(
    "DATE_FORMAT",
    "日期格式应为 2027-01-25、2027/1/25、2027年1月25日 或 20270125",
    "Write dates as 2027-01-25, 2027/1/25, 2027年1月25日 or 20270125",
  );
const invalidError = () => reject("DATE_INVALID", "日期不存在（如2月30日）", "The date does not exist (e.g. 30 February)");

function fromSerial(serial: number): FieldResult<IsoDate, DateErrorCode> {
  return serial >= SERIAL_MIN && serial < SERIAL_MAX + 1 ? accept(excelSerialToIsoDate(serial)) : formatError();
}

/** One date cell → an ISO day. */
export function parseListDate(raw: unknown): FieldResult<IsoDate, DateErrorCode> {
  if (raw instanceof Date) return Number.isNaN(raw.getTime()) ? invalidError() : accept(toIsoDate(raw));
  if (typeof raw === "number") return fromSerial(raw);
  const text = cellText(raw);
  if (text === "") return reject("DATE_REQUIRED", "日期不能为空", "The date is required");
  const match = YMD_SEPARATED.exec(text) ?? YMD_COMPACT.exec(text);
  if (match) {
    const date = realDate(Number(match[1]), Number(match[2]), Number(match[3]));
    return date === undefined ? invalidError() : accept(date);
  }
  return SERIAL.test(text) ? fromSerial(Number(text)) : formatError();
}

/** Both dates inside the window and in order. */
export function checkDepartureDates(
  earliest: IsoDate,
  latest: IsoDate,
  window: DateWindow,
): { field: "earliestDate" | "latestDate"; code: DateErrorCode; message: { zh: string; en: string } }[] {
  const problems: ReturnType<typeof checkDepartureDates> = [];
  const outside = (field: "earliestDate" | "latestDate") =>
    problems.push({
      field,
      code: "DATE_OUTSIDE_WINDOW",
      message: {
        zh: `日期应在活动出发期 ${window.start} 至 ${window.end} 之内`,
        en: `The date must be within the campaign's departure window ${window.start} to ${window.end}`,
      },
    });
  if (earliest < window.start || earliest > window.end) outside("earliestDate");
  if (latest < window.start || latest > window.end) outside("latestDate");
  if (latest < earliest) {
    problems.push({
      field: "latestDate",
      code: "DATE_ORDER",
      message: { zh: "最晚出发日期不能早于最早出发日期", en: "The latest departure date cannot be before the earliest" },
    });
  }
  return problems;
}
