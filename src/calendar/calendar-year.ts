// One year of China's official calendar: which days are off for a holiday and which weekend days are
// worked instead. Every other day follows the week (Monday–Friday work, Saturday–Sunday rest).
import type { IsoDate } from "./iso-date.ts";
import { expandHolidays, expandMakeUpWorkdays, type OfficialYearSchedule } from "./official-schedule.ts";

export interface CalendarYear {
  year: number;
  /** Day off → festival. May include late-December days of the year before, for 元旦. */
  holidays: ReadonlyMap<IsoDate, string>;
  /** Weekend day worked (调休上班) → festival it pays for. */
  makeUpWorkdays: ReadonlyMap<IsoDate, string>;
}

export function calendarYearFromSchedule(schedule: OfficialYearSchedule): CalendarYear {
  return { year: schedule.year, holidays: expandHolidays(schedule), makeUpWorkdays: expandMakeUpWorkdays(schedule) };
}
