import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { officialYearScheduleSchema } from "../../../src/calendar/official-schedule.ts";

const fixture2027 = JSON.parse(readFileSync(new URL("../../fixtures/calendar/2027.json", import.meta.url), "utf8"));

/** A deep copy of the 2027 fixture changed by `edit`, to test one broken rule at a time. */
function variant(edit: (schedule: typeof fixture2027) => void): unknown {
  const copy = structuredClone(fixture2027);
  edit(copy);
  return copy;
}

function issueCodes(input: unknown): string[] {
  const result = officialYearScheduleSchema.safeParse(input);
  if (result.success) return [];
  return result.error.issues.map((issue) =>
    issue.code === "custom" ? String((issue as { params?: { code?: string } }).params?.code) : issue.code,
  );
}

describe("official year schedule", () => {
  it("accepts the 2027 test fixture and says it is not official", () => {
    const schedule = officialYearScheduleSchema.parse(fixture2027);
    expect(schedule.year).toBe(2027);
    expect(schedule.source).toMatch(/NOT OFFICIAL/);
    expect(schedule.holidays).toHaveLength(7);
  });

  it("accepts the real 2019 notice, whose 元旦 began on 2018-12-30 with Saturday 2018-12-29 worked", () => {
    const notice2019 = {
      year: 2019,
      source: "国务院办公厅关于2019年部分节假日安排的通知（劳动节按2019年3月的调整）",
      holidays: [
        { names: ["元旦"], from: "2018-12-30", to: "2019-01-01", makeUpWorkdays: ["2018-12-29"] },
        { names: ["春节"], from: "2019-02-04", to: "2019-02-10", makeUpWorkdays: ["2019-02-02", "2019-02-03"] },
        { names: ["清明节"], from: "2019-04-05", to: "2019-04-07" },
        { names: ["劳动节"], from: "2019-05-01", to: "2019-05-04", makeUpWorkdays: ["2019-04-28", "2019-05-05"] },
        { names: ["端午节"], from: "2019-06-07", to: "2019-06-09" },
        { names: ["中秋节"], from: "2019-09-13", to: "2019-09-15" },
        { names: ["国庆节"], from: "2019-10-01", to: "2019-10-07", makeUpWorkdays: ["2019-09-29", "2019-10-12"] },
      ],
    };
    expect(issueCodes(notice2019)).toEqual([]);
  });

  it("accepts two festivals joined in one item, as the 2023 notice did (中秋节、国庆节 9-29 to 10-06)", () => {
    const joined = variant((s) => {
      s.holidays = s.holidays.filter((item: { names: string[] }) => !item.names.includes("中秋节"));
      const national = s.holidays.find((item: { names: string[] }) => item.names.includes("国庆节"));
      national.names = ["中秋节", "国庆节"];
    });
    expect(issueCodes(joined)).toEqual([]);
  });

  it("rejects a make-up working day that is not a weekend day", () => {
    expect(issueCodes(variant((s) => s.holidays[1].makeUpWorkdays.push("2027-02-19")))).toEqual(["CALENDAR_MAKE_UP_NOT_WEEKEND"]);
  });

  it("rejects a make-up working day inside a holiday, and one listed twice", () => {
    expect(issueCodes(variant((s) => s.holidays[1].makeUpWorkdays.push("2027-02-06")))).toContain("CALENDAR_MAKE_UP_IN_HOLIDAY");
    expect(issueCodes(variant((s) => s.holidays[6].makeUpWorkdays.push("2027-02-13")))).toEqual(["CALENDAR_MAKE_UP_DUPLICATE"]);
  });

  it("rejects dates outside the year, except 元旦 reaching back into late December", () => {
    expect(issueCodes(variant((s) => (s.holidays[6].to = "2028-01-02")))).toContain("CALENDAR_DATE_OUTSIDE_YEAR");
    expect(issueCodes(variant((s) => (s.holidays[1].from = "2026-12-31")))).toContain("CALENDAR_DATE_OUTSIDE_YEAR");
    expect(issueCodes(variant((s) => (s.holidays[0].from = "2026-12-31")))).toEqual([]);
    expect(issueCodes(variant((s) => (s.holidays[0].from = "2026-12-01")))).toContain("CALENDAR_DATE_OUTSIDE_YEAR");
  });

  it("rejects overlapping, reversed and implausibly long holidays", () => {
    expect(issueCodes(variant((s) => (s.holidays[2].from = "2027-02-10")))).toContain("CALENDAR_HOLIDAY_OVERLAP");
    expect(issueCodes(variant((s) => (s.holidays[3].to = "2027-04-30")))).toEqual(["CALENDAR_RANGE_REVERSED"]);
    expect(issueCodes(variant((s) => (s.holidays[6].to = "2027-12-07")))).toContain("CALENDAR_HOLIDAY_TOO_LONG");
  });

  it("requires each of the seven holidays exactly once, by its official name", () => {
    expect(issueCodes(variant((s) => s.holidays.splice(1, 1)))).toEqual(["CALENDAR_HOLIDAY_MISSING"]);
    expect(issueCodes(variant((s) => (s.holidays[5].names = ["端午节"])))).toEqual(["CALENDAR_HOLIDAY_DUPLICATE", "CALENDAR_HOLIDAY_MISSING"]);
    expect(issueCodes(variant((s) => (s.holidays[0].names = ["圣诞节"])))).toEqual(["invalid_value"]);
  });

  it("rejects a date that does not exist, without failing on it elsewhere", () => {
    expect(issueCodes(variant((s) => (s.holidays[1].to = "2027-02-30")))).toEqual(["CALENDAR_INVALID_DATE"]);
  });

  it("gives every rule violation a Chinese message and the path of the offending field", () => {
    const result = officialYearScheduleSchema.safeParse(variant((s) => s.holidays[1].makeUpWorkdays.push("2027-02-19")));
    expect(result.success).toBe(false);
    const issue = result.error!.issues[0]!;
    expect(issue.path).toEqual(["holidays", 1, "makeUpWorkdays", 2]);
    expect((issue as { params?: { zh?: string } }).params?.zh).toContain("不是周六或周日");
  });
});
