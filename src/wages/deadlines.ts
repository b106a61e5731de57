// When a case is late. Acceptance is due within 5 working days of registration, on China's
// working-day calendar; resolution is due by the campaign's "paid before leaving" date, so that
// workers are paid before they travel home. Ageing counts plain calendar days since registration.
import type { LocalisedMessage } from "../errors.ts";
import { CalendarError } from "../calendar/calendar-error.ts";
import { daysBetween, shanghaiDateOf, type IsoDate } from "../calendar/iso-date.ts";
import type { WorkingDayCalendar } from "../calendar/working-days.ts";
import { AWAITING_PAYMENT_STATUSES, type WageCaseStatus } from "./workflow.ts";

export const ACCEPTANCE_WORKING_DAYS = 5;

/** The last day on which a case registered on `registeredOn` is accepted in time. Throws CalendarError when the calendar does not cover it. */
export function acceptanceDeadline(registeredOn: IsoDate, calendar: WorkingDayCalendar): IsoDate {
  return calendar.addWorkingDays(registeredOn, ACCEPTANCE_WORKING_DAYS);
}

export type OverdueReason = "ACCEPTANCE_DEADLINE_PASSED" | "PAID_BEFORE_DATE_PASSED";

export interface OverdueCaseFacts {
  status: WageCaseStatus;
  registeredOn: IsoDate;
  /**
   * The campaign's "paid before leaving" date. A case registered after it is overdue from the start:
   * its workers should already have been paid, which is exactly why it must be pushed.
   */
  paidBeforeDate: IsoDate | null;
}

export interface OverdueAssessment {
  overdue: boolean;
  reasons: OverdueReason[];
  /** Null while the case is past acceptance, or when the calendar cannot tell yet. */
  acceptanceDeadline: IsoDate | null;
  /** Set when the acceptance deadline needs a year schedule nobody has loaded; the job should alert the city admin. */
  calendarGap: { missingYear: number; message: LocalisedMessage } | null;
}

/** Whether the case is late at the instant `now` (judged on the date in China). */
export function assessOverdue(facts: OverdueCaseFacts, now: Date, calendar: WorkingDayCalendar): OverdueAssessment {
  // YYYY-MM-DD strings compare in date order.
  const today = shanghaiDateOf(now);
  const reasons: OverdueReason[] = [];
  let deadline: IsoDate | null = null;
  let calendarGap: OverdueAssessment["calendarGap"] = null;

  if (facts.status === "REGISTERED") {
    try {
      deadline = acceptanceDeadline(facts.registeredOn, calendar);
      if (today > deadline) reasons.push("ACCEPTANCE_DEADLINE_PASSED");
    } catch (error) {
      if (!(error instanceof CalendarError) || error.code !== "CALENDAR_YEAR_NOT_COVERED") throw error;
      calendarGap = { missingYear: Number(error.details.missingYear), message: { zh: error.messageZh, en: error.messageEn } };
    }
  }
  if (AWAITING_PAYMENT_STATUSES.includes(facts.status) && facts.paidBeforeDate !== null && today > facts.paidBeforeDate) {
    reasons.push("PAID_BEFORE_DATE_PASSED");
  }
  return { overdue: reasons.length > 0, reasons, acceptanceDeadline: deadline, calendarGap };
}

export const AGEING_BUCKETS = [
  { key: "DAYS_0_7", minDays: 0, maxDays: 7, label: { zh: "0–7 天", en: "0–7 days" } },
  { key: "DAYS_8_15", minDays: 8, maxDays: 15, label: { zh: "8–15 天", en: "8–15 days" } },
  { key: "DAYS_16_30", minDays: 16, maxDays: 30, label: { zh: "16–30 天", en: "16–30 days" } },
  { key: "DAYS_OVER_30", minDays: 31, maxDays: Number.POSITIVE_INFINITY, label: { zh: "30 天以上", en: "over 30 days" } },
] as const;
export type AgeingBucketKey = (typeof AGEING_BUCKETS)[number]["key"];

/** Calendar days from registration to `asOf` (the closing date for a closed case); the registration day is day 0. */
export function caseAgeDays(registeredOn: IsoDate, asOf: IsoDate): number {
  return Math.max(0, daysBetween(registeredOn, asOf));
}

export function ageingBucket(ageDays: number): AgeingBucketKey {
  // The last bucket has no upper bound, so a bucket is always found.
  return AGEING_BUCKETS.find((bucket) => ageDays <= bucket.maxDays)!.key;
}
