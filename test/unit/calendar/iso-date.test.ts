import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CalendarError } from "../../../src/calendar/calendar-error.ts";
import {
  addDays,
  dayOfWeek,
  daysBetween,
  fromEpochDay,
  isIsoDate,
  shanghaiDateOf,
  toEpochDay,
} from "../../../src/calendar/iso-date.ts";

describe("ISO dates", () => {
  it("accepts real dates only", () => {
    expect(isIsoDate("2028-02-29")).toBe(true);
    expect(isIsoDate("2027-02-29")).toBe(false);
    expect(isIsoDate("2027-13-01")).toBe(false);
    expect(isIsoDate("2027-2-6")).toBe(false);
    expect(isIsoDate("0099-01-01")).toBe(false);
    expect(isIsoDate(20270206)).toBe(false);
  });

  it("rejects an invalid date with a coded error", () => {
    expect(() => toEpochDay("2027-02-30")).toThrow(CalendarError);
    try {
      toEpochDay("2027-02-30");
    } catch (error) {
      expect((error as CalendarError).code).toBe("CALENDAR_INVALID_DATE");
    }
  });

  it("knows the weekday of the 2027 Spring Festival (a Saturday) and of 除夕 (a Friday)", () => {
    expect(dayOfWeek("2027-02-06")).toBe(6);
    expect(dayOfWeek("2027-02-05")).toBe(5);
    expect(dayOfWeek("1970-01-01")).toBe(4);
    expect(dayOfWeek("1969-12-28")).toBe(0);
  });

  it("adds days across month, year and leap-day boundaries", () => {
    expect(addDays("2027-02-28", 1)).toBe("2027-03-01");
    expect(addDays("2028-02-28", 1)).toBe("2028-02-29");
    expect(addDays("2026-12-31", 1)).toBe("2027-01-01");
    expect(daysBetween("2027-02-04", "2027-02-18")).toBe(14);
    expect(daysBetween("2027-02-18", "2027-02-04")).toBe(-14);
  });

  it("takes today's date in Beijing time, not the server's", () => {
    expect(shanghaiDateOf(new Date("2027-02-04T15:59:59Z"))).toBe("2027-02-04");
    expect(shanghaiDateOf(new Date("2027-02-04T16:00:00Z"))).toBe("2027-02-05");
    expect(shanghaiDateOf(new Date("2026-12-31T23:30:00-08:00"))).toBe("2027-01-01");
  });

  it("agrees with Date for any day from 1900 to 2199", () => {
    const day = fc.integer({ min: toEpochDay("1900-01-01"), max: toEpochDay("2199-12-31") });
    fc.assert(
      fc.property(day, fc.integer({ min: -800, max: 800 }), (epochDay, offset) => {
        const date = fromEpochDay(epochDay);
        expect(toEpochDay(date)).toBe(epochDay);
        expect(dayOfWeek(date)).toBe(new Date(`${date}T00:00:00Z`).getUTCDay());
        expect(daysBetween(date, addDays(date, offset))).toBe(offset);
      }),
    );
  });
});
