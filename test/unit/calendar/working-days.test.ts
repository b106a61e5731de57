import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CalendarError } from "../../../src/calendar/calendar-error.ts";
import { calendarYearFromSchedule } from "../../../src/calendar/calendar-year.ts";
import { daysBetween, fromEpochDay, toEpochDay } from "../../../src/calendar/iso-date.ts";
import { officialYearScheduleSchema, type OfficialYearSchedule } from "../../../src/calendar/official-schedule.ts";
import { createWorkingDayCalendar, WorkingDayCalendar } from "../../../src/calendar/working-days.ts";

// Loaded the way an admin's upload is: raw JSON through the schema.
const schedule2027 = officialYearScheduleSchema.parse(
  JSON.parse(readFileSync(new URL("../../fixtures/calendar/2027.json", import.meta.url), "utf8")),
);

// 国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04), transcribed item by item.
const notice2026: OfficialYearSchedule = officialYearScheduleSchema.parse({
  year: 2026,
  source: "国务院办公厅关于2026年部分节假日安排的通知（2025年11月4日）",
  holidays: [
    { names: ["元旦"], from: "2026-01-01", to: "2026-01-03", makeUpWorkdays: ["2026-01-04"] },
    { names: ["春节"], from: "2026-02-15", to: "2026-02-23", makeUpWorkdays: ["2026-02-14", "2026-02-28"] },
    { names: ["清明节"], from: "2026-04-04", to: "2026-04-06" },
    { names: ["劳动节"], from: "2026-05-01", to: "2026-05-05", makeUpWorkdays: ["2026-05-09"] },
    { names: ["端午节"], from: "2026-06-19", to: "2026-06-21" },
    { names: ["中秋节"], from: "2026-09-25", to: "2026-09-27" },
    { names: ["国庆节"], from: "2026-10-01", to: "2026-10-07", makeUpWorkdays: ["2026-09-20", "2026-10-10"] },
  ],
});

const packageOnly = createWorkingDayCalendar();
const with2027 = createWorkingDayCalendar([schedule2027]);

function calendarError(action: () => unknown): CalendarError {
  try {
    action();
  } catch (error) {
    if (error instanceof CalendarError) return error;
    throw error;
  }
  throw new Error("expected a CalendarError");
}

describe("working-day calendar from chinese-days", () => {
  it("covers the years the package ships, 2004 to 2026", () => {
    const years = packageOnly.coveredYears();
    expect(years[0]).toBe(2004);
    expect(years.at(-1)).toBe(2026);
    expect(years).toHaveLength(23);
  });

  it("agrees day by day with the State Council's 2026 notice", () => {
    const fromNotice = new WorkingDayCalendar([calendarYearFromSchedule(notice2026), calendarYearFromSchedule(schedule2027)]);
    for (let epochDay = toEpochDay("2026-01-01"); epochDay <= toEpochDay("2026-12-31"); epochDay += 1) {
      const date = fromEpochDay(epochDay);
      expect(with2027.dayOf(date), date).toEqual(fromNotice.dayOf(date));
    }
  });

  it("knows the 2026 Spring Festival: days off, and the two Saturdays worked", () => {
    expect(packageOnly.dayOf("2026-02-16")).toEqual({ date: "2026-02-16", kind: "HOLIDAY", working: false, festival: "春节" });
    expect(packageOnly.dayOf("2026-02-14")).toEqual({ date: "2026-02-14", kind: "MAKE_UP_WORKDAY", working: true, festival: "春节" });
    expect(packageOnly.dayOf("2026-02-28").working).toBe(true);
    expect(packageOnly.dayOf("2026-03-07")).toEqual({ date: "2026-03-07", kind: "WEEKEND", working: false, festival: null });
    expect(packageOnly.dayOf("2026-03-09")).toEqual({ date: "2026-03-09", kind: "WORKDAY", working: true, festival: null });
  });

  it("puts a late-December 元旦 make-up day under the next year's notice (2018-12-29 for 2019)", () => {
    expect(packageOnly.dayOf("2018-12-29")).toMatchObject({ kind: "MAKE_UP_WORKDAY", festival: "元旦" });
    expect(packageOnly.dayOf("2018-12-31")).toMatchObject({ kind: "HOLIDAY", festival: "元旦" });
  });

  it("counts 5 working days from Thursday 2026-02-12 past the holiday, the make-up Saturday included", () => {
    // Fri 13, Sat 14 (worked), then the holiday to Mon 23, then Tue 24, Wed 25, Thu 26.
    expect(packageOnly.addWorkingDays("2026-02-12", 5)).toBe("2026-02-26");
    expect(packageOnly.workingDaysBetween("2026-02-12", "2026-02-26")).toBe(5);
  });
});

describe("a loaded year schedule (2027 fixture)", () => {
  it("is an explicit error before it is loaded, naming the missing year", () => {
    expect(packageOnly.isCovered("2027-02-04")).toBe(false);
    const error = calendarError(() => packageOnly.addWorkingDays("2027-02-04", 5));
    expect(error.code).toBe("CALENDAR_YEAR_NOT_COVERED");
    expect(error.details).toMatchObject({ missingYear: 2027 });
    expect(error.messageZh).toContain("2027 年");
  });

  it("refuses the last days of December until the next year's 元旦 is known", () => {
    expect(packageOnly.isCovered("2026-12-24")).toBe(true);
    expect(packageOnly.isCovered("2026-12-28")).toBe(false);
    expect(calendarError(() => packageOnly.isWorkingDay("2026-12-28")).details).toMatchObject({ missingYear: 2027 });
    expect(with2027.isCovered("2026-12-28")).toBe(true);
    expect(with2027.addWorkingDays("2026-12-30", 2)).toBe("2027-01-04");
  });

  it("counts 5 working days from Thursday 2027-02-04 past the Spring Festival, make-up Saturday 02-13 included", () => {
    expect(with2027.coveredYears()).toContain(2027);
    expect(with2027.addWorkingDays("2027-02-04", 5)).toBe("2027-02-18");
    expect(with2027.dayOf("2027-02-13")).toMatchObject({ kind: "MAKE_UP_WORKDAY", festival: "春节" });
    // Walking backwards from the first Monday after the holiday meets the make-up Saturday first.
    expect(with2027.addWorkingDays("2027-02-15", -1)).toBe("2027-02-13");
    expect(with2027.addWorkingDays("2027-02-15", -2)).toBe("2027-02-04");
    expect(with2027.workingDaysBetween("2027-02-18", "2027-02-04")).toBe(-5);
  });

  it("gives a different answer from a weekends-only guess, which is why no guess is made", () => {
    const weekendsOnly = new WorkingDayCalendar([{ year: 2027, holidays: new Map(), makeUpWorkdays: new Map() }]);
    expect(weekendsOnly.addWorkingDays("2027-02-04", 5)).toBe("2027-02-11");
    expect(with2027.addWorkingDays("2027-02-04", 5)).not.toBe("2027-02-11");
  });

  it("replaces the package's data for a year an admin loads again", () => {
    const corrected = structuredClone(notice2026);
    corrected.holidays[1]!.makeUpWorkdays = ["2026-02-28"];
    const calendar = createWorkingDayCalendar([corrected]);
    expect(packageOnly.isWorkingDay("2026-02-14")).toBe(true);
    expect(calendar.isWorkingDay("2026-02-14")).toBe(false);
  });

  it("refuses two schedules for the same year", () => {
    expect(calendarError(() => createWorkingDayCalendar([schedule2027, schedule2027])).code).toBe("CALENDAR_DUPLICATE_YEAR");
  });

  it("refuses a fractional number of working days", () => {
    expect(calendarError(() => with2027.addWorkingDays("2027-03-01", 1.5)).code).toBe("CALENDAR_INVALID_STEP");
  });

  // Starts end in September so that 40 working days never reach the uncovered end of December 2027.
  it("makes addWorkingDays and workingDaysBetween inverse over 2025–2027", () => {
    const start = fc.integer({ min: toEpochDay("2025-01-01"), max: toEpochDay("2027-09-30") }).map(fromEpochDay);
    fc.assert(
      fc.property(start, fc.integer({ min: -40, max: 40 }), (date, n) => {
        const target = with2027.addWorkingDays(date, n);
        expect(with2027.workingDaysBetween(date, target)).toBe(n);
        if (n !== 0) expect(with2027.isWorkingDay(target)).toBe(true);
        // n working days take at least n calendar days.
        expect(Math.abs(daysBetween(date, target))).toBeGreaterThanOrEqual(Math.abs(n));
      }),
    );
  });
});
