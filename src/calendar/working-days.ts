// China's working-day calendar: the chinese-days package for the years it covers, plus the year
// schedules a city admin loads from the State Council's notices. A date in a year nobody has loaded
// is an explicit CALENDAR_YEAR_NOT_COVERED error: guessing "weekends only" would put deadlines
// inside the Spring Festival holiday, the very week this platform exists for.
import { CalendarError } from "./calendar-error.ts";
import { calendarYearFromSchedule, type CalendarYear } from "./calendar-year.ts";
import { chineseDaysYears } from "./chinese-days-base.ts";
import { fromEpochDay, isWeekend, monthDayOf, toEpochDay, yearOf, type IsoDate } from "./iso-date.ts";
import { NEW_YEAR_EARLIEST_DAY_OF_DECEMBER, type OfficialYearSchedule } from "./official-schedule.ts";

export type DayKind = "WORKDAY" | "WEEKEND" | "HOLIDAY" | "MAKE_UP_WORKDAY";

export interface CalendarDay {
  date: IsoDate;
  kind: DayKind;
  working: boolean;
  /** The festival a holiday or make-up working day belongs to. */
  festival: string | null;
}

export class WorkingDayCalendar {
  readonly #years: ReadonlySet<number>;
  readonly #holidays = new Map<IsoDate, string>();
  readonly #makeUpWorkdays = new Map<IsoDate, string>();

  /** Years must be distinct; each year's own notice decides its days, including its 元旦 in late December. */
  constructor(years: Iterable<CalendarYear>) {
    const sorted = [...years].sort((a, b) => a.year - b.year);
    const seen = new Set<number>();
    for (const calendarYear of sorted) {
      if (seen.has(calendarYear.year)) {
        throw new CalendarError(
          "CALENDAR_DUPLICATE_YEAR",
          { zh: `${calendarYear.year} 年的节假日安排重复载入`, en: `The ${calendarYear.year} schedule is given twice` },
          { year: calendarYear.year },
        );
      }
      seen.add(calendarYear.year);
      for (const [date, festival] of calendarYear.holidays) {
        this.#makeUpWorkdays.delete(date);
        this.#holidays.set(date, festival);
      }
      for (const [date, festival] of calendarYear.makeUpWorkdays) {
        this.#holidays.delete(date);
        this.#makeUpWorkdays.set(date, festival);
      }
    }
    this.#years = seen;
  }

  coveredYears(): number[] {
    return [...this.#years];
  }

  /** The year whose schedule is missing for this date, or null when the date is known. */
  #missingYear(date: IsoDate): number | null {
    const year = yearOf(date);
    if (!this.#years.has(year)) return year;
    // The last days of December may still become 元旦 days off (or make-up days) of the next notice.
    const { month, day } = monthDayOf(date);
    if (month === 12 && day >= NEW_YEAR_EARLIEST_DAY_OF_DECEMBER && !this.#years.has(year + 1)) return year + 1;
    return null;
  }

  isCovered(date: IsoDate): boolean {
    return this.#missingYear(date) === null;
  }

  dayOf(date: IsoDate): CalendarDay {
    const missingYear = this.#missingYear(date);
    if (missingYear !== null) {
      throw new CalendarError(
        "CALENDAR_YEAR_NOT_COVERED",
        {
          zh: `尚未载入 ${missingYear} 年的节假日安排，无法判断 ${date} 是否为工作日；请市总工会管理员载入国务院办公厅公布的安排`,
          en: `The ${missingYear} holiday schedule is not loaded, so whether ${date} is a working day is unknown; a city-union admin must load the State Council's schedule`,
        },
        { date, missingYear },
      );
    }
    const holiday = this.#holidays.get(date);
    if (holiday !== undefined) return { date, kind: "HOLIDAY", working: false, festival: holiday };
    const makeUp = this.#makeUpWorkdays.get(date);
    if (makeUp !== undefined) return { date, kind: "MAKE_UP_WORKDAY", working: true, festival: makeUp };
    return isWeekend(date)
      ? { date, kind: "WEEKEND", working: false, festival: null }
      : { date, kind: "WORKDAY", working: true, festival: null };
  }

  isWorkingDay(date: IsoDate): boolean {
    return this.dayOf(date).working;
  }

  /**
   * The n-th working day after `date` (before it when n < 0); `date` itself never counts, so a case
   * registered on a Saturday has its 1st working day on Monday. n = 0 returns `date`.
   */
  addWorkingDays(date: IsoDate, n: number): IsoDate {
    if (!Number.isSafeInteger(n)) {
      throw new CalendarError(
        "CALENDAR_INVALID_STEP",
        { zh: `工作日天数“${n}”应为整数`, en: `The number of working days "${n}" must be an integer` },
        { n },
      );
    }
    const step = Math.sign(n);
    let epochDay = toEpochDay(date);
    for (let remaining = Math.abs(n); remaining > 0; ) {
      epochDay += step;
      if (this.isWorkingDay(fromEpochDay(epochDay))) remaining -= 1;
    }
    return fromEpochDay(epochDay);
  }

  /**
   * The signed number of working-day steps from `from` to `to`: the working days in (from, to], or,
   * when `to` is earlier, minus those in [to, from). So addWorkingDays(from, workingDaysBetween(from,
   * to)) === to for any working day `to`, in both directions.
   */
  workingDaysBetween(from: IsoDate, to: IsoDate): number {
    const start = toEpochDay(from);
    const end = toEpochDay(to);
    const forward = start <= end;
    const [first, last] = forward ? [start + 1, end] : [end, start - 1];
    let count = 0;
    for (let epochDay = first; epochDay <= last; epochDay += 1) {
      if (this.isWorkingDay(fromEpochDay(epochDay))) count += 1;
    }
    return forward ? count : -count;
  }
}

/**
 * The calendar from chinese-days plus the schedules loaded by admins (already parsed with
 * officialYearScheduleSchema). A loaded schedule replaces the package's data for its year, so an
 * admin can also correct a year the package got wrong.
 */
export function createWorkingDayCalendar(loadedSchedules: readonly OfficialYearSchedule[] = []): WorkingDayCalendar {
  const loaded = loadedSchedules.map(calendarYearFromSchedule);
  const replaced = new Set(loaded.map((calendarYear) => calendarYear.year));
  const base = chineseDaysYears().filter((calendarYear) => !replaced.has(calendarYear.year));
  return new WorkingDayCalendar([...base, ...loaded]);
}
