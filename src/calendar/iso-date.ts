// Dates are `YYYY-MM-DD` strings meant in Asia/Shanghai. All arithmetic goes through whole days
// since 1970-01-01 computed with Date.UTC, so the server's own time zone never shifts a date.
import { CalendarError } from "./calendar-error.ts";

/** A calendar day in China (Asia/Shanghai), written `YYYY-MM-DD`. */
export type IsoDate = string;

const ISO_DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const MS_PER_DAY = 86_400_000;
// China Standard Time is UTC+8 all year; China has not used daylight saving time since 1991.
const SHANGHAI_OFFSET_MS = 8 * 3_600_000;

interface DateParts {
  year: number;
  month: number;
  day: number;
}

function partsOf(value: string): DateParts | null {
  const match = ISO_DATE_PATTERN.exec(value);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const utc = new Date(Date.UTC(year, month - 1, day));
  // The round trip rejects 2027-02-30 and the 0000–0099 years that Date.UTC maps to 19xx.
  if (utc.getUTCFullYear() !== year || utc.getUTCMonth() !== month - 1 || utc.getUTCDate() !== day) return null;
  return { year, month, day };
}

export function isIsoDate(value: unknown): value is IsoDate {
  return typeof value === "string" && partsOf(value) !== null;
}

function requireParts(date: IsoDate): DateParts {
  const parts = partsOf(date);
  if (!parts) {
    throw new CalendarError(
      "CALENDAR_INVALID_DATE",
      { zh: `日期“${date}”无效，应为 YYYY-MM-DD 格式的真实日期`, en: `"${date}" is not a real date in YYYY-MM-DD form` },
      { date },
    );
  }
  return parts;
}

/** Whole days since 1970-01-01. */
export function toEpochDay(date: IsoDate): number {
  const { year, month, day } = requireParts(date);
  return Date.UTC(year, month - 1, day) / MS_PER_DAY;
}

export function fromEpochDay(epochDay: number): IsoDate {
  return new Date(epochDay * MS_PER_DAY).toISOString().slice(0, 10);
}

export function yearOf(date: IsoDate): number {
  return requireParts(date).year;
}

export function monthDayOf(date: IsoDate): { month: number; day: number } {
  const { month, day } = requireParts(date);
  return { month, day };
}

export function addDays(date: IsoDate, days: number): IsoDate {
  return fromEpochDay(toEpochDay(date) + days);
}

/** Calendar days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: IsoDate, to: IsoDate): number {
  return toEpochDay(to) - toEpochDay(from);
}

/** 0 = Sunday … 6 = Saturday, as in Date#getDay. */
export function dayOfWeek(date: IsoDate): number {
  // 1970-01-01 was a Thursday.
  return (((toEpochDay(date) + 4) % 7) + 7) % 7;
}

export function isWeekend(date: IsoDate): boolean {
  const weekday = dayOfWeek(date);
  return weekday === 0 || weekday === 6;
}

/** The date it is in China at the given instant. */
export function shanghaiDateOf(instant: Date): IsoDate {
  return fromEpochDay(Math.floor((instant.getTime() + SHANGHAI_OFFSET_MS) / MS_PER_DAY));
}
