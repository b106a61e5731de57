// The year schedule a city admin loads when the State Council publishes 《国务院办公厅关于 N 年部分节假日
// 安排的通知》 (usually in November), for the years the chinese-days package does not cover yet.
// Its shape follows the notice item by item: each item names its festival(s), the days off, and the
// weekend days worked in exchange (调休上班).
import { z } from "zod";
import { addDays, daysBetween, isIsoDate, isWeekend, toEpochDay, type IsoDate } from "./iso-date.ts";

/** The seven public holidays of 《全国年节及纪念日放假办法》, as the notices name them. */
export const HOLIDAY_NAMES = ["元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节"] as const;
export type HolidayName = (typeof HOLIDAY_NAMES)[number];

// No published holiday has been longer than 9 days; a longer range is a typo (a month slipped).
const LONGEST_HOLIDAY_DAYS = 14;
/**
 * 元旦 may begin in the last days of the previous December (2019: 2018-12-30 to 2019-01-01, with
 * Saturday 2018-12-29 worked), so its items may reach back to this day of the previous year.
 */
export const NEW_YEAR_EARLIEST_DAY_OF_DECEMBER = 25;

export type ScheduleIssueCode =
  | "CALENDAR_DATE_OUTSIDE_YEAR"
  | "CALENDAR_RANGE_REVERSED"
  | "CALENDAR_HOLIDAY_TOO_LONG"
  | "CALENDAR_HOLIDAY_OVERLAP"
  | "CALENDAR_HOLIDAY_MISSING"
  | "CALENDAR_HOLIDAY_DUPLICATE"
  | "CALENDAR_MAKE_UP_NOT_WEEKEND"
  | "CALENDAR_MAKE_UP_IN_HOLIDAY"
  | "CALENDAR_MAKE_UP_DUPLICATE";

const isoDateSchema = z
  .string()
  .refine(isIsoDate, { message: "Expected a real date written YYYY-MM-DD", params: { code: "CALENDAR_INVALID_DATE", zh: "应为 YYYY-MM-DD 格式的真实日期" } })
  .describe("A date in China, YYYY-MM-DD");

const holidayItemSchema = z.object({
  names: z
    .array(z.enum(HOLIDAY_NAMES))
    .min(1)
    .max(2)
    .describe("The festival(s) of this item of the notice; two when the notice joins them (2023: 中秋节、国庆节)"),
  from: isoDateSchema.describe("First day off"),
  to: isoDateSchema.describe("Last day off (inclusive)"),
  makeUpWorkdays: z
    .array(isoDateSchema)
    .max(4)
    .default([])
    .describe("Weekend days worked in exchange for this item (调休上班)"),
});

export const officialYearScheduleSchema = z
  .object({
    year: z.number().int().min(2000).max(2100).describe("The year the notice is for"),
    source: z
      .string()
      .trim()
      .min(1)
      .max(300)
      .describe("Where the schedule comes from, e.g. 国务院办公厅关于2027年部分节假日安排的通知（国办发明电〔2026〕N号）"),
    holidays: z.array(holidayItemSchema).min(1).max(10).describe("The items of the notice, one per holiday period"),
  })
  .superRefine((schedule, ctx) => {
    for (const issue of scheduleIssues(schedule)) {
      ctx.addIssue({ code: "custom", message: issue.en, path: issue.path, params: { code: issue.code, zh: issue.zh } });
    }
  })
  .describe("A year's public holidays and make-up working days as published by the State Council");

export type OfficialYearSchedule = z.infer<typeof officialYearScheduleSchema>;
type HolidayItem = OfficialYearSchedule["holidays"][number];

interface ScheduleIssue {
  code: ScheduleIssueCode;
  path: (string | number)[];
  zh: string;
  en: string;
}

function earliestAllowed(year: number, item: HolidayItem): IsoDate {
  return item.names.includes("元旦") ? `${year - 1}-12-${NEW_YEAR_EARLIEST_DAY_OF_DECEMBER}` : `${year}-01-01`;
}

function isWithin(date: IsoDate, from: IsoDate, to: IsoDate): boolean {
  const day = toEpochDay(date);
  return day >= toEpochDay(from) && day <= toEpochDay(to);
}

function scheduleIssues(schedule: OfficialYearSchedule): ScheduleIssue[] {
  const { year, holidays } = schedule;
  // Zod still runs this refinement after a date failed its own check; those dates are reported there.
  const allDates = holidays.flatMap((item) => [item.from, item.to, ...item.makeUpWorkdays]);
  if (!allDates.every(isIsoDate)) return [];
  const issues: ScheduleIssue[] = [];
  const lastDay = `${year}-12-31`;

  holidays.forEach((item, index) => {
    const path = ["holidays", index];
    const earliest = earliestAllowed(year, item);
    for (const [field, date] of [["from", item.from], ["to", item.to]] as const) {
      if (!isWithin(date, earliest, lastDay)) {
        issues.push({
          code: "CALENDAR_DATE_OUTSIDE_YEAR",
          path: [...path, field],
          zh: `${date} 不在 ${year} 年内`,
          en: `${date} is outside ${year}`,
        });
      }
    }
    const length = daysBetween(item.from, item.to) + 1;
    if (length < 1) {
      issues.push({
        code: "CALENDAR_RANGE_REVERSED",
        path: [...path, "to"],
        zh: `放假结束日 ${item.to} 早于开始日 ${item.from}`,
        en: `The last day off ${item.to} is before the first ${item.from}`,
      });
    } else if (length > LONGEST_HOLIDAY_DAYS) {
      issues.push({
        code: "CALENDAR_HOLIDAY_TOO_LONG",
        path: [...path, "to"],
        zh: `${item.names.join("、")}假期长达 ${length} 天，超过 ${LONGEST_HOLIDAY_DAYS} 天，请核对日期`,
        en: `${length} days off is longer than ${LONGEST_HOLIDAY_DAYS}; check the dates`,
      });
    }
    item.makeUpWorkdays.forEach((date, dayIndex) => {
      const dayPath = [...path, "makeUpWorkdays", dayIndex];
      if (!isWithin(date, earliest, lastDay)) {
        issues.push({ code: "CALENDAR_DATE_OUTSIDE_YEAR", path: dayPath, zh: `${date} 不在 ${year} 年内`, en: `${date} is outside ${year}` });
      }
      if (!isWeekend(date)) {
        issues.push({
          code: "CALENDAR_MAKE_UP_NOT_WEEKEND",
          path: dayPath,
          zh: `调休上班日 ${date} 不是周六或周日`,
          en: `Make-up working day ${date} is not a Saturday or Sunday`,
        });
      }
    });
  });

  issues.push(...overlapIssues(holidays), ...nameIssues(holidays), ...makeUpConflictIssues(holidays));
  return issues;
}

function overlapIssues(holidays: readonly HolidayItem[]): ScheduleIssue[] {
  const issues: ScheduleIssue[] = [];
  holidays.forEach((item, index) => {
    holidays.slice(0, index).forEach((earlier, earlierIndex) => {
      const overlaps = toEpochDay(item.from) <= toEpochDay(earlier.to) && toEpochDay(earlier.from) <= toEpochDay(item.to);
      if (overlaps) {
        issues.push({
          code: "CALENDAR_HOLIDAY_OVERLAP",
          path: ["holidays", index],
          zh: `${item.names.join("、")}与第 ${earlierIndex + 1} 项（${earlier.names.join("、")}）的放假日期重叠`,
          en: `Overlaps item ${earlierIndex + 1} (${earlier.names.join(", ")})`,
        });
      }
    });
  });
  return issues;
}

function nameIssues(holidays: readonly HolidayItem[]): ScheduleIssue[] {
  const issues: ScheduleIssue[] = [];
  const seen = new Set<HolidayName>();
  holidays.forEach((item, index) => {
    for (const name of item.names) {
      if (seen.has(name)) {
        issues.push({
          code: "CALENDAR_HOLIDAY_DUPLICATE",
          path: ["holidays", index, "names"],
          zh: `${name}出现了不止一次`,
          en: `${name} appears more than once`,
        });
      }
      seen.add(name);
    }
  });
  // Every notice covers all seven holidays; a missing one means the notice was typed in incompletely.
  const missing = HOLIDAY_NAMES.filter((name) => !seen.has(name));
  if (missing.length > 0) {
    issues.push({
      code: "CALENDAR_HOLIDAY_MISSING",
      path: ["holidays"],
      zh: `缺少：${missing.join("、")}`,
      en: `Missing: ${missing.join(", ")}`,
    });
  }
  return issues;
}

function makeUpConflictIssues(holidays: readonly HolidayItem[]): ScheduleIssue[] {
  const issues: ScheduleIssue[] = [];
  const seen = new Set<IsoDate>();
  holidays.forEach((item, index) => {
    item.makeUpWorkdays.forEach((date, dayIndex) => {
      const path = ["holidays", index, "makeUpWorkdays", dayIndex];
      if (seen.has(date)) {
        issues.push({ code: "CALENDAR_MAKE_UP_DUPLICATE", path, zh: `调休上班日 ${date} 重复`, en: `Make-up working day ${date} is listed twice` });
      }
      seen.add(date);
      const inside = holidays.find((other) => isWithin(date, other.from, other.to));
      if (inside) {
        issues.push({
          code: "CALENDAR_MAKE_UP_IN_HOLIDAY",
          path,
          zh: `调休上班日 ${date} 落在${inside.names.join("、")}假期内`,
          en: `Make-up working day ${date} falls inside the ${inside.names.join(", ")} holiday`,
        });
      }
    });
  });
  return issues;
}

/** Every day off of a schedule with the festival it belongs to. */
export function expandHolidays(schedule: OfficialYearSchedule): Map<IsoDate, string> {
  const days = new Map<IsoDate, string>();
  for (const item of schedule.holidays) {
    const length = daysBetween(item.from, item.to) + 1;
    for (let offset = 0; offset < length; offset += 1) days.set(addDays(item.from, offset), item.names.join("、"));
  }
  return days;
}

/** Every make-up working day of a schedule with the festival it pays for. */
export function expandMakeUpWorkdays(schedule: OfficialYearSchedule): Map<IsoDate, string> {
  const days = new Map<IsoDate, string>();
  for (const item of schedule.holidays) {
    for (const date of item.makeUpWorkdays) days.set(date, item.names.join("、"));
  }
  return days;
}
