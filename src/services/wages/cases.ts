// Wage-arrears cases (追讨欠薪): registering a case, reading it with its timeline, listing, and
// moving it through the explicit transition table with optimistic locking. Money is bigint fen.
import type { DbOrTx, Prisma, Tx } from "../../db/types.ts";
import { AppError } from "../../errors.ts";
import { maskIdNumber, maskMobile } from "../../intake/fields/masking.ts";
import { CalendarError } from "../../calendar/calendar-error.ts";
import { acceptanceDeadline } from "../../wages/deadlines.ts";
import type { AddWageCaseEventInput, CreateWageCaseInput, TransitionWageCaseInput } from "../../wages/schemas.ts";
import { checkTransition, WAGE_CASE_STATUS_LABELS, type WageCaseStatus } from "../../wages/workflow.ts";
import { recordAudit } from "../audit.ts";
import { loadWorkingDayCalendar } from "../calendar/calendar-years.ts";
import type { ServiceContext } from "../context.ts";
import { dateToDb } from "../dates.ts";
import { overdueWhere, presentCaseSummary, presentEvent, presentPayment, presentWorker, todayInChina } from "./present.ts";
import { orgsUnder, visibleCampaign, visibleCase, visibleOrg, type ScopeOrg } from "./scope.ts";

export const WAGE_CASE_NO_PREFIX = "QX";

/** The next "QX2027-000123" of a year, serialised by an advisory lock held until the transaction ends. */
async function nextCaseNo(tx: Tx, year: number): Promise<string> {
  const prefix = `${WAGE_CASE_NO_PREFIX}${year}-`;
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`wage-case-no:${prefix}`}))`;
  const last = await tx.wageCase.findFirst({ where: { caseNo: { startsWith: prefix } }, orderBy: { caseNo: "desc" }, select: { caseNo: true } });
  const seq = last ? Number(last.caseNo.slice(prefix.length)) + 1 : 1;
  return `${prefix}${String(seq).padStart(6, "0")}`;
}

/** Who owns a new case: the reporting enterprise or district, or the district named by the employer's region when the city reports. */
async function owningOrg(db: DbOrTx, reporting: ScopeOrg, districtCode: string): Promise<ScopeOrg> {
  if (reporting.kind === "ENTERPRISE_UNION" || reporting.kind === "DISTRICT_UNION") return reporting;
  if (reporting.kind === "CITY_UNION") {
    const district = await db.organisation.findFirst({
      where: { parentId: reporting.id, kind: "DISTRICT_UNION", regionCode: districtCode },
      select: { id: true, name: true, kind: true, path: true, parentId: true, regionCode: true },
    });
    if (!district) {
      throw new AppError("VALIDATION_FAILED", {
        code: "WAGE_DISTRICT_UNION_NOT_FOUND",
        message: { zh: `本市没有行政区划代码为 ${districtCode} 的区（县）总工会`, en: `No district union of this city has region code ${districtCode}` },
        errors: [{ path: "body.employer.districtCode", code: "WAGE_DISTRICT_UNION_NOT_FOUND", message: { zh: "没有对应的区（县）总工会", en: "No district union has this region code" } }],
      });
    }
    return district;
  }
  throw new AppError("VALIDATION_FAILED", {
    code: "WAGE_REPORTING_ORG_KIND",
    errors: [{ path: "body.reportingOrgId", code: "WAGE_REPORTING_ORG_KIND", message: { zh: "报告单位须为工会组织", en: "The reporting organisation must be a union" } }],
  });
}

export async function createWageCase(ctx: ServiceContext, input: CreateWageCaseInput) {
  const campaign = await visibleCampaign(ctx, ctx.db, input.campaignId);
  const reporting = await visibleOrg(ctx, ctx.db, input.reportingOrgId);
  const owner = await owningOrg(ctx.db, reporting, input.employer.districtCode);
  const calendar = await loadWorkingDayCalendar(ctx.db);
  const registeredOn = todayInChina();
  let acceptanceDueOn: string | null = null;
  let calendarGap: { missingYear: number; message: { zh: string; en: string } } | null = null;
  try {
    acceptanceDueOn = acceptanceDeadline(registeredOn, calendar);
  } catch (error) {
    if (!(error instanceof CalendarError) || error.code !== "CALENDAR_YEAR_NOT_COVERED") throw error;
    calendarGap = { missingYear: Number(error.details.missingYear), message: { zh: error.messageZh, en: error.messageEn } };
  }
  const workers = input.namedWorkers.map((worker) => ({
    name: worker.name,
    idSealed: ctx.pii.seal(worker.idNumber),
    idHash: ctx.pii.hash(worker.idNumber),
    idMasked: maskIdNumber(worker.idNumber),
    mobileSealed: worker.mobile ? ctx.pii.seal(worker.mobile) : null,
    mobileHash: worker.mobile ? ctx.pii.hash(worker.mobile) : null,
    mobileMasked: worker.mobile ? maskMobile(worker.mobile) : null,
  }));

  const id = await ctx.db.$transaction(async (tx) => {
    const caseNo = await nextCaseNo(tx, campaign.year);
    const row = await tx.wageCase.create({
      data: {
        caseNo,
        campaignId: campaign.id,
        orgId: owner.id,
        reportingOrgId: reporting.id,
        source: input.source,
        employerName: input.employer.name,
        employerUscc: input.employer.uscc ?? null,
        employerAddress: input.employer.address,
        employerDistrictCode: input.employer.districtCode,
        isConstruction: Boolean(input.constructionProject),
        projectName: input.constructionProject?.name ?? null,
        generalContractor: input.constructionProject?.generalContractor.name ?? null,
        generalContractorUscc: input.constructionProject?.generalContractor.uscc ?? null,
        workersAffected: input.workers.count,
        migrantWorkersAffected: input.workers.migrantCount,
        amountOwedFen: input.owedYuan,
        periodStart: dateToDb(input.period.from),
        periodEnd: dateToDb(input.period.to),
        handler: input.handlingOrg,
        summary: input.notes ?? null,
        registeredOn: dateToDb(registeredOn),
        acceptanceDueOn: acceptanceDueOn ? dateToDb(acceptanceDueOn) : null,
        resolutionTargetOn: campaign.paidBeforeDate,
        createdBy: ctx.principal.actorLabel,
        workers: { create: workers },
      },
    });
    await tx.wageCaseEvent.create({
      data: {
        caseId: row.id,
        actorLabel: ctx.principal.actorLabel,
        actorOrgId: ctx.principal.orgId,
        type: "CREATED",
        toStatus: "REGISTERED",
        note: input.notes ?? null,
        details: { source: input.source, reportingOrg: reporting.name, ...(calendarGap ? { calendarGap: calendarGap.message } : {}) },
      },
    });
    await recordAudit(tx, ctx, {
      action: "wage_case.create",
      entityType: "wage_case",
      entityId: row.id,
      orgId: owner.id,
      campaignId: campaign.id,
      details: {
        caseNo,
        employer: input.employer.name,
        employerUscc: input.employer.uscc ?? null,
        owedFen: input.owedYuan.toString(),
        workers: input.workers.count,
        namedWorkers: workers.length,
      },
    });
    return row.id;
  });
  ctx.log.info({ caseId: id, orgId: owner.id }, "wage case registered");
  return { ...(await getWageCase(ctx, id)), calendarGap };
}

export async function getWageCase(ctx: ServiceContext, id: string) {
  const { row, org } = await visibleCase(ctx, ctx.db, id);
  const [workers, events, payments] = await Promise.all([
    ctx.db.wageCaseWorker.findMany({ where: { caseId: id }, orderBy: { name: "asc" } }),
    ctx.db.wageCaseEvent.findMany({ where: { caseId: id }, orderBy: [{ at: "asc" }, { id: "asc" }] }),
    ctx.db.wagePayment.findMany({ where: { caseId: id }, orderBy: [{ paidOn: "asc" }, { createdAt: "asc" }] }),
  ]);
  return {
    ...presentCaseSummary(row, org.name, todayInChina()),
    namedWorkers: workers.map(presentWorker),
    timeline: events.map(presentEvent),
    payments: payments.map(presentPayment),
  };
}

export interface WageCaseFilter {
  campaignId?: string;
  status?: WageCaseStatus[];
  /** Cases of this organisation's subtree (a district, or one enterprise); must be in the caller's. */
  orgId?: string;
  overdue?: boolean;
  /** Part of the employer's name, or its exact USCC. */
  employer?: string;
  page: number;
  pageSize: number;
}

/** The where clause of the cases in a subtree (by org id list: the subtree of a city is a few thousand ids at most). */
export async function casesInScopeWhere(ctx: ServiceContext, db: DbOrTx, filter: { campaignId?: string; orgId?: string }) {
  const scopeRoot = filter.orgId ? await visibleOrg(ctx, db, filter.orgId) : null;
  if (filter.campaignId) await visibleCampaign(ctx, db, filter.campaignId);
  const orgs = await orgsUnder(db, scopeRoot?.path ?? ctx.principal.orgPath);
  const where: Prisma.WageCaseWhereInput = { orgId: { in: orgs.map((org) => org.id) } };
  if (filter.campaignId) where.campaignId = filter.campaignId;
  return { where, orgs };
}

export async function listWageCases(ctx: ServiceContext, filter: WageCaseFilter) {
  const { where: scope, orgs } = await casesInScopeWhere(ctx, ctx.db, filter);
  const today = todayInChina();
  const and: Prisma.WageCaseWhereInput[] = [scope];
  if (filter.status?.length) and.push({ status: { in: filter.status } });
  if (filter.overdue !== undefined) and.push(overdueWhere(filter.overdue, today));
  if (filter.employer) {
    const text = filter.employer.trim();
    and.push({ OR: [{ employerName: { contains: text, mode: "insensitive" } }, { employerUscc: text.toUpperCase() }, { caseNo: text.toUpperCase() }] });
  }
  const where: Prisma.WageCaseWhereInput = { AND: and };
  const [total, rows] = await Promise.all([
    ctx.db.wageCase.count({ where }),
    ctx.db.wageCase.findMany({
      where,
      orderBy: [{ registeredOn: "desc" }, { caseNo: "desc" }],
      skip: (filter.page - 1) * filter.pageSize,
      take: filter.pageSize,
    }),
  ]);
  const names = new Map(orgs.map((org) => [org.id, org.name]));
  return {
    items: rows.map((row) => presentCaseSummary(row, names.get(row.orgId) ?? "", today)),
    total,
    page: filter.page,
    pageSize: filter.pageSize,
  };
}

function versionConflict(current: number, expected: number) {
  return new AppError("VERSION_CONFLICT", {
    code: "WAGE_CASE_VERSION_CONFLICT",
    message: {
      zh: `案件已被他人修改（当前版本 ${current}，您看到的是 ${expected}），请刷新后重试`,
      en: `The case was changed by someone else (version ${current}, you saw ${expected}); reload and retry`,
    },
    extensions: { currentVersion: current },
  });
}

export async function transitionWageCase(ctx: ServiceContext, id: string, input: TransitionWageCaseInput) {
  await ctx.db.$transaction(async (tx) => {
    const { row } = await visibleCase(ctx, tx, id);
    if (row.version !== input.expectedVersion) throw versionConflict(row.version, input.expectedVersion);
    const from = row.status as WageCaseStatus;
    const check = checkTransition(from, input.to, { reason: input.reason, transferTo: input.transferTo });
    if (!check.ok) {
      const status = check.code === "WAGE_CASE_INVALID_TRANSITION" || check.code === "WAGE_CASE_STATUS_SET_BY_RECOVERY" ? "CONFLICT" : "VALIDATION_FAILED";
      throw new AppError(status, {
        code: check.code,
        message: check.message,
        extensions: { currentStatus: from, allowed: check.allowed },
        ...(status === "VALIDATION_FAILED" ? { errors: [{ path: check.code === "WAGE_CASE_REASON_REQUIRED" ? "body.reason" : "body.transferTo", code: check.code, message: check.message }] } : {}),
      });
    }
    const now = new Date();
    const updated = await tx.wageCase.updateMany({
      where: { id, version: input.expectedVersion },
      data: {
        status: input.to,
        version: { increment: 1 },
        ...(input.to === "TRANSFERRED" && input.transferTo ? { handler: input.transferTo } : {}),
        ...(input.to === "ACCEPTED" ? { acceptedAt: now } : {}),
        ...(input.to === "REJECTED" ? { rejectReason: input.reason ?? null } : {}),
        ...(input.to === "CLOSED" || input.to === "REJECTED" ? { closedAt: now } : {}),
      },
    });
    if (updated.count !== 1) {
      const current = await tx.wageCase.findUnique({ where: { id }, select: { version: true } });
      throw versionConflict(current?.version ?? -1, input.expectedVersion);
    }
    await tx.wageCaseEvent.create({
      data: {
        caseId: id,
        actorLabel: ctx.principal.actorLabel,
        actorOrgId: ctx.principal.orgId,
        type: "STATUS_CHANGED",
        fromStatus: from,
        toStatus: input.to,
        note: [input.reason, input.note].filter(Boolean).join("\n") || null,
        details: { ...(input.reason ? { reason: input.reason } : {}), ...(input.transferTo ? { transferTo: input.transferTo } : {}) },
      },
    });
    await recordAudit(tx, ctx, {
      action: "wage_case.transition",
      entityType: "wage_case",
      entityId: id,
      orgId: row.orgId,
      campaignId: row.campaignId,
      details: { caseNo: row.caseNo, from, to: input.to, version: input.expectedVersion + 1, ...(input.transferTo ? { transferTo: input.transferTo } : {}) },
    });
    ctx.log.info({ caseId: id, from, to: input.to }, `wage case ${WAGE_CASE_STATUS_LABELS[input.to].en}`);
  });
  return getWageCase(ctx, id);
}

export async function addWageCaseEvent(ctx: ServiceContext, id: string, input: AddWageCaseEventInput) {
  const event = await ctx.db.$transaction(async (tx) => {
    const { row } = await visibleCase(ctx, tx, id);
    const created = await tx.wageCaseEvent.create({
      data: { caseId: id, actorLabel: ctx.principal.actorLabel, actorOrgId: ctx.principal.orgId, type: input.kind, note: input.note },
    });
    await tx.wageCase.update({ where: { id }, data: { updatedAt: new Date() } });
    await recordAudit(tx, ctx, {
      action: "wage_case.event",
      entityType: "wage_case",
      entityId: id,
      orgId: row.orgId,
      campaignId: row.campaignId,
      details: { caseNo: row.caseNo, kind: input.kind },
    });
    return created;
  });
  return presentEvent(event);
}

