// Calendar days as `YYYY-MM-DD` strings, compared as strings. A Date given as input is read in UTC:
// spreadsheet readers return date cells as UTC midnight, and callers that mean "today in China"
// pass the ISO day they computed for Asia/Shanghai.

export type IsoDate = string;

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isLeapYear = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

/** The ISO day of y-m-d when it is a real calendar day in years 1900–9999, else undefined. */
export function realDate(year: number, month: number, day: number): IsoDate | undefined {
  if (!Number.isInteger(year) || !Number.isInteger(month) || !Number.isInteger(day)) return undefined;
  if (year < 1900 || year > 9999 || month < 1 || month > 12 || day < 1) return undefined;
  const monthLength = month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month - 1]!;
  return day <= monthLength ? `${year}-${pad(month)}-${pad(day)}` : undefined;
}

export function toIsoDate(value: IsoDate | Date): IsoDate {
  if (typeof value === "string") return value;
  return `${pad(value.getUTCFullYear(), 4)}-${pad(value.getUTCMonth() + 1)}-${pad(value.getUTCDate())}`;
}

export function isoDateParts(date: IsoDate): { year: number; month: number; day: number } {
  return { year: Number(date.slice(0, 4)), month: Number(date.slice(5, 7)), day: Number(date.slice(8, 10)) };
}
