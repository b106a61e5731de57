import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { officialYearScheduleSchema } from "../../../src/calendar/official-schedule.ts";
import { createWorkingDayCalendar } from "../../../src/calendar/working-days.ts";
import { acceptanceDeadline, ageingBucket, AGEING_BUCKETS, assessOverdue, caseAgeDays } from "../../../src/wages/deadlines.ts";

const schedule2027 = officialYearScheduleSchema.parse(
  JSON.parse(readFileSync(new URL("../../fixtures/calendar/2027.json", import.meta.url), "utf8")),
);
const calendar = createWorkingDayCalendar([schedule2027]);
const calendarWithout2027 = createWorkingDayCalendar();

/** An instant at the given Beijing wall-clock time. */
const beijing = (dateTime: string) => new Date(`${dateTime}+08:00`);

describe("acceptance deadline", () => {
  it("falls after the 2027 Spring Festival for a case registered the Thursday before it", () => {
    // Fri 02-05 to Fri 02-12 off; Sat 02-13 worked; so 13, 15, 16, 17, 18.
    expect(acceptanceDeadline("2027-02-04", calendar)).toBe("2027-02-18");
  });

  it("falls after the 2026 Spring Festival, counting the make-up Saturday 02-14", () => {
    expect(acceptanceDeadline("2026-02-12", calendarWithout2027)).toBe("2026-02-26");
  });

  it("is a week later in an ordinary week", () => {
    expect(acceptanceDeadline("2027-03-03", calendar)).toBe("2027-03-10");
  });
});

describe("overdue", () => {
  const registered = { status: "REGISTERED" as const, registeredOn: "2027-02-04", paidBeforeDate: "2027-01-29" };

  it("is not overdue for acceptance on the deadline day itself, and is the day after (Beijing time)", () => {
    const facts = { ...registered, paidBeforeDate: null };
    expect(assessOverdue(facts, beijing("2027-02-18T23:59:00"), calendar)).toEqual({
      overdue: false,
      reasons: [],
      acceptanceDeadline: "2027-02-18",
      calendarGap: null,
    });
    // 16:30 UTC on the 18th is already the 19th in Beijing.
    expect(assessOverdue(facts, new Date("2027-02-18T16:30:00Z"), calendar)).toMatchObject({
      overdue: true,
      reasons: ["ACCEPTANCE_DEADLINE_PASSED"],
    });
  });

  it("is overdue once the campaign's paid-before date has passed without full payment", () => {
    const mediating = { status: "MEDIATING" as const, registeredOn: "2027-01-10", paidBeforeDate: "2027-01-29" };
    expect(assessOverdue(mediating, beijing("2027-01-29T18:00:00"), calendar).overdue).toBe(false);
    expect(assessOverdue(mediating, beijing("2027-01-30T09:00:00"), calendar)).toMatchObject({
      overdue: true,
      reasons: ["PAID_BEFORE_DATE_PASSED"],
      acceptanceDeadline: null,
    });
    expect(assessOverdue({ ...mediating, status: "RECOVERED" }, beijing("2027-02-10T09:00:00"), calendar).overdue).toBe(false);
    expect(assessOverdue({ ...mediating, status: "CLOSED" }, beijing("2027-02-10T09:00:00"), calendar).overdue).toBe(false);
  });

  it("gives both reasons for a case registered after the paid-before date and never accepted", () => {
    expect(assessOverdue(registered, beijing("2027-02-20T09:00:00"), calendar).reasons).toEqual([
      "ACCEPTANCE_DEADLINE_PASSED",
      "PAID_BEFORE_DATE_PASSED",
    ]);
  });

  it("reports a calendar gap instead of guessing when the year's schedule is not loaded", () => {
    const result = assessOverdue({ ...registered, paidBeforeDate: null }, beijing("2027-03-01T09:00:00"), calendarWithout2027);
    expect(result.overdue).toBe(false);
    expect(result.acceptanceDeadline).toBeNull();
    expect(result.calendarGap).toMatchObject({ missingYear: 2027, message: { zh: expect.stringContaining("2027 年") } });
  });
});

describe("ageing", () => {
  it("counts calendar days from registration, registration day being day 0", () => {
    expect(caseAgeDays("2027-01-25", "2027-01-25")).toBe(0);
    expect(caseAgeDays("2027-01-25", "2027-02-25")).toBe(31);
    expect(caseAgeDays("2027-01-25", "2027-01-20")).toBe(0);
  });

  it("puts ages into the form's buckets at their edges", () => {
    const edges: [number, string][] = [
      [0, "DAYS_0_7"],
      [7, "DAYS_0_7"],
      [8, "DAYS_8_15"],
      [15, "DAYS_8_15"],
      [16, "DAYS_16_30"],
      [30, "DAYS_16_30"],
      [31, "DAYS_OVER_30"],
      [400, "DAYS_OVER_30"],
    ];
    for (const [age, key] of edges) expect(ageingBucket(age), String(age)).toBe(key);
    expect(AGEING_BUCKETS.map((b) => b.label.zh)).toEqual(["0–7 天", "8–15 天", "16–30 天", "30 天以上"]);
  });
});
