// The hourly overdue check ("wages.escalate-overdue"): a case past its acceptance deadline, or past
// the campaign's "paid before leaving" date while its workers still wait, is escalated once — its
// escalatedAt is set, an ESCALATED event goes on its timeline, and a notice (audit entry) goes to
// its district union and to the city union. Deadlines that waited for a year's schedule are filled
// in first; a year still missing is reported to the city once.
import type { SystemContext } from "../context.ts";
import { recordAudit } from "../audit.ts";
import { fillMissingAcceptanceDeadlines, loadWorkingDayCalendar } from "../calendar/calendar-years.ts";
import { CalendarError } from "../../calendar/calendar-error.ts";
import { acceptanceDeadline } from "../../wages/deadlines.ts";
import { dateFromDb } from "../dates.ts";
import { overdueReasons, overdueWhere, todayInChina } from "./present.ts";
import { districtOf } from "./scope.ts";

const BATCH = 500;

export async function escalateOverdueWageCases(sys: SystemContext, now = new Date()) {
  const today = todayInChina(now);
  const deadlinesFilled = await sys.db.$transaction((tx) => fillMissingAcceptanceDeadlines(tx));
  let escalated = 0;
  for (;;) {
    const batch = await sys.db.wageCase.findMany({
      where: { AND: [overdueWhere(true, today), { escalatedAt: null }] },
      select: { id: true },
      orderBy: { registeredOn: "asc" },
      take: BATCH,
    });
    for (const { id } of batch) {
      if (await escalateOne(sys, id, now, today)) escalated += 1;
    }
    if (batch.length < BATCH) break;
  }
  const calendarGaps = await reportCalendarGaps(sys);
  sys.log.info({ escalated, deadlinesFilled, calendarGaps }, "wage cases checked for overdue");
  return { escalated, deadlinesFilled, calendarGaps };
}

async function escalateOne(sys: SystemContext, id: string, now: Date, today: string): Promise<boolean> {
  return sys.db.$transaction(async (tx) => {
    // Only the first run that gets here marks the case: escalation happens once per case.
    const marked = await tx.wageCase.updateMany({ where: { id, escalatedAt: null }, data: { escalatedAt: now } });
    if (marked.count !== 1) return false;
    const row = await tx.wageCase.findUniqueOrThrow({ where: { id } });
    const reasons = overdueReasons(row, today);
    const org = await tx.organisation.findUniqueOrThrow({
      where: { id: row.orgId },
      select: { id: true, name: true, kind: true, path: true, parentId: true, regionCode: true },
    });
    const district = await districtOf(tx, org);
    const cityId = org.path.split("/").filter(Boolean)[0]!;
    const details = {
      caseNo: row.caseNo,
      reasons,
      registeredOn: dateFromDb(row.registeredOn),
      acceptanceDueOn: row.acceptanceDueOn ? dateFromDb(row.acceptanceDueOn) : null,
      resolutionTargetOn: row.resolutionTargetOn ? dateFromDb(row.resolutionTargetOn) : null,
      status: row.status,
      owningOrg: org.name,
    };
    await tx.wageCaseEvent.create({
      data: { caseId: id, actorLabel: "system", type: "ESCALATED", note: null, details: { reasons, notified: [district.name, ...(district.id === cityId ? [] : ["city"])] } },
    });
    const recipients = district.id === cityId ? [{ orgId: cityId, recipient: "CITY" }] : [
      { orgId: district.id, recipient: "DISTRICT" },
      { orgId: cityId, recipient: "CITY" },
    ];
    for (const { orgId, recipient } of recipients) {
      await recordAudit(tx, {}, {
        action: "wage_case.overdue_notice",
        entityType: "wage_case",
        entityId: id,
        orgId,
        campaignId: row.campaignId,
        details: { ...details, recipient },
      });
    }
    return true;
  });
}

/** Years whose schedule registered cases are waiting for: one notice per year to each city concerned. */
async function reportCalendarGaps(sys: SystemContext): Promise<number[]> {
  const waiting = await sys.db.wageCase.findMany({ where: { acceptanceDueOn: null }, select: { registeredOn: true, orgId: true } });
  if (waiting.length === 0) return [];
  const orgs = await sys.db.organisation.findMany({ where: { id: { in: [...new Set(waiting.map((w) => w.orgId))] } }, select: { id: true, path: true } });
  const cityOf = new Map(orgs.map((org) => [org.id, org.path.split("/").filter(Boolean)[0]!]));
  const calendar = await loadWorkingDayCalendar(sys.db);
  const gaps = new Map<string, { cityId: string; year: number }>();
  for (const wageCase of waiting) {
    let year: number | null = null;
    try {
      acceptanceDeadline(dateFromDb(wageCase.registeredOn), calendar);
    } catch (error) {
      if (!(error instanceof CalendarError) || error.code !== "CALENDAR_YEAR_NOT_COVERED") throw error;
      year = Number(error.details.missingYear);
    }
    const cityId = cityOf.get(wageCase.orgId);
    if (cityId && year !== null) gaps.set(`${cityId}:${year}`, { cityId, year });
  }
  for (const { cityId, year } of gaps.values()) {
    const entityId = `${cityId}:${year}`;
    const already = await sys.db.auditEntry.findFirst({ where: { action: "calendar.year_missing", entityId } });
    if (already) continue;
    await recordAudit(sys.db, {}, {
      action: "calendar.year_missing",
      entityType: "calendar_year",
      entityId,
      orgId: cityId,
      details: {
        year,
        message: {
          zh: `有欠薪案件的受理期限需要 ${year} 年节假日安排，请市总工会管理员载入国务院办公厅公布的安排`,
          en: `Wage-case acceptance deadlines need the ${year} holiday schedule; a city-union admin must load it`,
        },
      },
    });
  }
  return [...new Set([...gaps.values()].map((gap) => gap.year))].sort();
}
