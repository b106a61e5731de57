// The official year schedules a city-union admin loads when the State Council publishes them, and
// the working-day calendar built from them plus the chinese-days package. Loading a year also fills
// in the acceptance deadlines of cases that were waiting for it.
import { rootOrgId } from "../../auth/principal.ts";
import { createWorkingDayCalendar, type WorkingDayCalendar } from "../../calendar/working-days.ts";
import { officialYearScheduleSchema, type OfficialYearSchedule } from "../../calendar/official-schedule.ts";
import { chineseDaysYears } from "../../calendar/chinese-days-base.ts";
import type { DbOrTx } from "../../db/types.ts";
import { AppError, notFound } from "../../errors.ts";
import { acceptanceDeadline } from "../../wages/deadlines.ts";
import { recordAudit } from "../audit.ts";
import type { ServiceContext } from "../context.ts";
import { dateFromDb, dateToDb } from "../dates.ts";

/** The calendar every deadline is computed on: the package's years plus every loaded schedule. */
export async function loadWorkingDayCalendar(db: DbOrTx): Promise<WorkingDayCalendar> {
  const rows = await db.calendarYear.findMany({ orderBy: { year: "asc" } });
  // Rows were validated when loaded; parsing again keeps a hand-edited row from corrupting deadlines.
  const schedules = rows.map((row) => officialYearScheduleSchema.parse(row.schedule));
  return createWorkingDayCalendar(schedules);
}

export function presentCalendarYear(row: { year: number; schedule: unknown; source: string; loadedBy: string; loadedAt: Date }) {
  const schedule = officialYearScheduleSchema.parse(row.schedule);
  return {
    year: row.year,
    origin: "LOADED" as const,
    source: row.source,
    loadedBy: row.loadedBy,
    loadedAt: row.loadedAt.toISOString(),
    holidays: schedule.holidays,
  };
}

export async function loadCalendarYear(ctx: ServiceContext, year: number, schedule: OfficialYearSchedule) {
  if (schedule.year !== year) {
    throw new AppError("VALIDATION_FAILED", {
      errors: [{ path: "body.year", code: "CALENDAR_YEAR_MISMATCH", message: { zh: `正文年份 ${schedule.year} 与地址中的 ${year} 不一致`, en: `The body is for ${schedule.year}, the path for ${year}` } }],
    });
  }
  return ctx.db.$transaction(async (tx) => {
    const previous = await tx.calendarYear.findUnique({ where: { year } });
    const row = await tx.calendarYear.upsert({
      where: { year },
      create: { year, schedule: schedule as object, source: schedule.source, loadedBy: ctx.principal.actorLabel },
      update: { schedule: schedule as object, source: schedule.source, loadedBy: ctx.principal.actorLabel, loadedAt: new Date() },
    });
    const filled = await fillMissingAcceptanceDeadlines(tx);
    await recordAudit(tx, ctx, {
      action: previous ? "calendar.year_replaced" : "calendar.year_loaded",
      entityType: "calendar_year",
      entityId: String(year),
      orgId: rootOrgId(ctx.principal),
      details: {
        year,
        source: schedule.source,
        holidayItems: schedule.holidays.length,
        ...(previous ? { previousSource: previous.source, previousLoadedBy: previous.loadedBy } : {}),
        deadlinesFilled: filled,
      },
    });
    ctx.log.info({ year, replaced: Boolean(previous), deadlinesFilled: filled }, "calendar year loaded");
    return { created: !previous, calendarYear: presentCalendarYear(row), deadlinesFilled: filled };
  });
}

/** Registered cases whose acceptance deadline waited for a schedule: computed now where possible. */
export async function fillMissingAcceptanceDeadlines(tx: DbOrTx): Promise<number> {
  const waiting = await tx.wageCase.findMany({ where: { acceptanceDueOn: null }, select: { id: true, registeredOn: true } });
  if (waiting.length === 0) return 0;
  const calendar = await loadWorkingDayCalendar(tx);
  let filled = 0;
  for (const wageCase of waiting) {
    const registeredOn = dateFromDb(wageCase.registeredOn);
    try {
      const due = acceptanceDeadline(registeredOn, calendar);
      await tx.wageCase.update({ where: { id: wageCase.id }, data: { acceptanceDueOn: dateToDb(due) } });
      filled += 1;
    } catch {
      // Still not covered (e.g. a case registered late in December waits for next year's notice).
    }
  }
  return filled;
}

export async function getCalendarYear(db: DbOrTx, year: number) {
  const row = await db.calendarYear.findUnique({ where: { year } });
  if (row) return presentCalendarYear(row);
  const base = chineseDaysYears().find((calendarYear) => calendarYear.year === year);
  if (!base) {
    throw notFound({
      zh: `尚未载入 ${year} 年的节假日安排`,
      en: `No holiday schedule for ${year} is loaded`,
    });
  }
  return {
    year,
    origin: "PACKAGE" as const,
    source: "chinese-days 1.5.7",
    loadedBy: null,
    loadedAt: null,
    holidays: groupPackageYear(base.holidays, base.makeUpWorkdays),
  };
}

// The package lists days; present them as the notice's items (consecutive days of one festival).
function groupPackageYear(holidays: ReadonlyMap<string, string>, makeUp: ReadonlyMap<string, string>) {
  const items: { names: string[]; from: string; to: string; makeUpWorkdays: string[] }[] = [];
  const days = [...holidays.entries()].sort(([a], [b]) => a.localeCompare(b));
  for (const [date, festival] of days) {
    const last = items.at(-1);
    const dayBefore = dateFromDb(new Date(dateToDb(date).getTime() - 86_400_000));
    if (last && last.to === dayBefore && last.names.join("、") === festival) last.to = date;
    else items.push({ names: festival.split("、"), from: date, to: date, makeUpWorkdays: [] });
  }
  for (const [date, festival] of [...makeUp.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const item = items.find((candidate) => candidate.names.join("、") === festival) ?? items[0];
    item?.makeUpWorkdays.push(date);
  }
  return items;
}
