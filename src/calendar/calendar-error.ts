// Calendar failures carry a stable code and both languages, so a deadline that cannot be computed
// reaches the case officer as "load the 2028 schedule", not as a wrong date.
export type CalendarErrorCode =
  | "CALENDAR_INVALID_DATE"
  | "CALENDAR_INVALID_STEP"
  | "CALENDAR_YEAR_NOT_COVERED"
  | "CALENDAR_DUPLICATE_YEAR";

export class CalendarError extends Error {
  readonly code: CalendarErrorCode;
  readonly messageZh: string;
  readonly messageEn: string;
  readonly details: Record<string, unknown>;

  constructor(code: CalendarErrorCode, messages: { zh: string; en: string }, details: Record<string, unknown> = {}) {
    super(messages.en);
    this.name = "CalendarError";
    this.code = code;
    this.messageZh = messages.zh;
    this.messageEn = messages.en;
    this.details = details;
  }
}
