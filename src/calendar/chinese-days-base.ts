// The base calendar: the holiday data shipped inside chinese-days (1.5.7 covers 2004–2026). Only its
// JSON is used, not its date functions, which parse dates in the server's local time zone.
import chineseDays from "chinese-days/dist/chinese-days.json" with { type: "json" };
import type { CalendarYear } from "./calendar-year.ts";
import { monthDayOf, yearOf, type IsoDate } from "./iso-date.ts";

// The package writes "Spring Festival,春节,4" (English, Chinese, days of statutory leave) and uses
// short names for some festivals; map them to the names of the notices.
const NOTICE_NAMES: Readonly<Record<string, string>> = { 清明: "清明节", 端午: "端午节", 中秋: "中秋节" };

function festivalName(entry: string): string {
  const chinese = entry.split(",")[1] ?? entry;
  return NOTICE_NAMES[chinese] ?? chinese;
}

// A late-December day of 元旦 belongs to the next year's notice (2018-12-30 is in the 2019 notice).
function noticeYear(date: IsoDate, festival: string): number {
  const year = yearOf(date);
  return festival === "元旦" && monthDayOf(date).month === 12 ? year + 1 : year;
}

function groupByNoticeYear(entries: Record<string, string>): Map<number, Map<IsoDate, string>> {
  const byYear = new Map<number, Map<IsoDate, string>>();
  for (const [date, entry] of Object.entries(entries)) {
    const festival = festivalName(entry);
    const year = noticeYear(date, festival);
    const days = byYear.get(year) ?? new Map<IsoDate, string>();
    days.set(date, festival);
    byYear.set(year, days);
  }
  return byYear;
}

export function chineseDaysYears(): CalendarYear[] {
  const holidays = groupByNoticeYear(chineseDays.holidays as Record<string, string>);
  const workdays = groupByNoticeYear(chineseDays.workdays as Record<string, string>);
  return [...holidays.keys()]
    .sort((a, b) => a - b)
    .map((year) => ({ year, holidays: holidays.get(year) ?? new Map(), makeUpWorkdays: workdays.get(year) ?? new Map() }));
}
