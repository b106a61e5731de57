// getTotalsDrilldown (依档): the records behind a figure of getHomewardTotals, with the same filters —
// the vehicles behind a vehicle count, the travellers (masked) behind a person count, the cases and
// payments behind 08(C), the entries behind a figure entered by hand. Paged.
import type { ServiceContext } from "../context.ts";
import { LINE_MODE, MANUAL_FIGURES, type DrilldownFigure, type ManualFigureCode, type Stage } from "./definitions.ts";
import { presentManualFigure } from "./manual-figures.ts";
import { resolveScope, type TotalsFilter, type TotalsScope } from "./scope.ts";
import { fenToYuan } from "./definitions.ts";

export interface DrilldownInput extends TotalsFilter {
  figure: DrilldownFigure;
  stage: Stage;
  /** Travellers of one vehicle (from a vehicle line). */
  vehicleId?: string;
  page: number;
  pageSize: number;
}

/** 张三丰 → 张**: enough for a union officer to recognise a list, not to identify a stranger. */
export const maskName = (name: string) => {
  const chars = [...name.trim()];
  return chars.length <= 1 ? "*" : `${chars[0]}${"*".repeat(chars.length - 1)}`;
};

const stageColumn: Record<Stage, string> = { ALLOCATED: "allocated_persons", DEPARTED: "departed_persons", BOARDED: "boarded_persons" };
const stageCondition: Record<Stage, string> = {
  ALLOCATED: "TRUE",
  DEPARTED: "v.departed_at IS NOT NULL",
  BOARDED: "a.boarded_at IS NOT NULL",
};

const dayOf = "(v.departure_at AT TIME ZONE 'Asia/Shanghai')::date";

async function vehicles(ctx: ServiceContext, scope: TotalsScope, input: DrilldownInput) {
  const mode = LINE_MODE[input.figure] ?? scope.mode;
  const where = `t.campaign_id = $1::uuid AND t.org_id = $2::uuid AND t.${stageColumn[input.stage]} > 0
    AND ($3::text IS NULL OR t.mode::text = $3) AND ($4::date IS NULL OR t.day >= $4::date) AND ($5::date IS NULL OR t.day <= $5::date)`;
  const params = [scope.campaign.id, scope.org.id, mode, scope.from, scope.to];
  const [count, rows] = await Promise.all([
    ctx.db.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM totals_vehicle_orgs t WHERE ${where}`, ...params),
    ctx.db.$queryRawUnsafe<
      { id: string; car: string; label: string; mode: string; day: string; departure_at: Date; departed_at: Date | null; seats_total: number; ap: number; dp: number; bp: number }[]
    >(
      `SELECT v.id::text, t.car, v.label, v.mode::text, to_char(t.day, 'YYYY-MM-DD') AS day, v.departure_at, v.departed_at, v.seats_total,
              t.allocated_persons AS ap, t.departed_persons AS dp, t.boarded_persons AS bp
         FROM totals_vehicle_orgs t JOIN vehicles v ON v.id = t.vehicle_id
        WHERE ${where}
        ORDER BY t.day, v.departure_at, v.label, t.car
        LIMIT $6 OFFSET $7`,
      ...params,
      input.pageSize,
      (input.page - 1) * input.pageSize,
    ),
  ]);
  return {
    total: count[0]!.n,
    vehicles: rows.map((r) => ({
      id: r.id,
      car: r.car || null,
      label: r.label,
      mode: r.mode,
      day: r.day,
      departureAt: r.departure_at.toISOString(),
      departedAt: r.departed_at?.toISOString() ?? null,
      seatsTotal: r.seats_total,
      persons: { allocated: r.ap, departed: r.dp, boarded: r.bp },
    })),
  };
}

async function travellers(ctx: ServiceContext, scope: TotalsScope, input: DrilldownInput) {
  const mode = LINE_MODE[input.figure] ?? scope.mode;
  const where = `r.status = 'PUBLISHED' AND a.status = 'ASSIGNED' AND a.campaign_id = $1::uuid AND o.path LIKE $2 || '%'
    AND ($3::text IS NULL OR v.mode::text = $3) AND ($4::date IS NULL OR ${dayOf} >= $4::date) AND ($5::date IS NULL OR ${dayOf} <= $5::date)
    AND ($6::uuid IS NULL OR a.vehicle_id = $6::uuid) AND ${stageCondition[input.stage]}`;
  const from = `assignments a JOIN allocation_runs r ON r.id = a.run_id JOIN vehicles v ON v.id = a.vehicle_id JOIN organisations o ON o.id = a.org_id`;
  const params = [scope.campaign.id, scope.org.path, mode, scope.from, scope.to, input.vehicleId ?? null];
  const [count, rows] = await Promise.all([
    ctx.db.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM ${from} WHERE ${where}`, ...params),
    ctx.db.$queryRawUnsafe<
      {
        assignment_id: string; name: string; id_masked: string; mobile_masked: string; org_name: string; vehicle_id: string; label: string; mode: string;
        car: string; seat: string; drop_region_code: string; departure_at: Date; departed_at: Date | null; boarded_at: Date | null; confirmed_at: Date | null;
      }[]
    >(
      `SELECT a.id::text AS assignment_id, t.name, t.id_masked, t.mobile_masked, o.name AS org_name, v.id::text AS vehicle_id, v.label, v.mode::text,
              a.car, a.seat, a.drop_region_code, v.departure_at, v.departed_at, a.boarded_at, a.confirmed_at
         FROM ${from} JOIN travelers t ON t.id = a.traveler_id
        WHERE ${where}
        ORDER BY v.departure_at, v.label, a.car, a.seat
        LIMIT $7 OFFSET $8`,
      ...params,
      input.pageSize,
      (input.page - 1) * input.pageSize,
    ),
  ]);
  return {
    total: count[0]!.n,
    travellers: rows.map((r) => ({
      assignmentId: r.assignment_id,
      name: maskName(r.name),
      idNumber: r.id_masked,
      mobile: r.mobile_masked,
      organisation: r.org_name,
      vehicleId: r.vehicle_id,
      vehicle: r.label,
      mode: r.mode,
      car: r.car || null,
      seat: r.seat,
      dropRegionCode: r.drop_region_code,
      departureAt: r.departure_at.toISOString(),
      departedAt: r.departed_at?.toISOString() ?? null,
      confirmedAt: r.confirmed_at?.toISOString() ?? null,
      boardedAt: r.boarded_at?.toISOString() ?? null,
    })),
  };
}

async function payments(ctx: ServiceContext, scope: TotalsScope, input: DrilldownInput) {
  const where = `c.campaign_id = $1::uuid AND o.path LIKE $2 || '%' AND ($3::date IS NULL OR p.paid_on >= $3::date) AND ($4::date IS NULL OR p.paid_on <= $4::date)`;
  const from = `wage_payments p JOIN wage_cases c ON c.id = p.case_id JOIN organisations o ON o.id = c.org_id`;
  const params = [scope.campaign.id, scope.org.path, scope.from, scope.to];
  const [count, rows] = await Promise.all([
    ctx.db.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM ${from} WHERE ${where}`, ...params),
    ctx.db.$queryRawUnsafe<
      {
        payment_id: string; case_id: string; case_no: string; employer_name: string; org_name: string; status: string; workers_affected: number;
        migrant_workers_affected: number; paid_on: string; amount_fen: string; workers_paid: number; migrant_workers_paid: number; method: string;
      }[]
    >(
      `SELECT p.id::text AS payment_id, c.id::text AS case_id, c.case_no, c.employer_name, o.name AS org_name, c.status::text, c.workers_affected,
              c.migrant_workers_affected, to_char(p.paid_on, 'YYYY-MM-DD') AS paid_on, p.amount_fen::text, p.workers_paid, p.migrant_workers_paid, p.method::text
         FROM ${from} WHERE ${where}
        ORDER BY p.paid_on, c.case_no, p.created_at
        LIMIT $5 OFFSET $6`,
      ...params,
      input.pageSize,
      (input.page - 1) * input.pageSize,
    ),
  ]);
  return {
    total: count[0]!.n,
    payments: rows.map((r) => ({
      paymentId: r.payment_id,
      caseId: r.case_id,
      caseNo: r.case_no,
      employerName: r.employer_name,
      organisation: r.org_name,
      caseStatus: r.status,
      workersAffected: r.workers_affected,
      migrantWorkersAffected: r.migrant_workers_affected,
      paidOn: r.paid_on,
      amountFen: r.amount_fen,
      amountYuan: fenToYuan(BigInt(r.amount_fen)),
      workersPaid: r.workers_paid,
      migrantWorkersPaid: r.migrant_workers_paid,
      method: r.method,
    })),
  };
}

async function manualEntries(ctx: ServiceContext, scope: TotalsScope, figure: DrilldownFigure) {
  const codes = (Object.keys(MANUAL_FIGURES) as ManualFigureCode[]).filter((code) => MANUAL_FIGURES[code].line === figure);
  if (!codes.length) return [];
  const rows = await ctx.db.manualFigure.findMany({ where: { campaignId: scope.campaign.id, figure: { in: codes } }, orderBy: { enteredAt: "asc" } });
  const orgs = await ctx.db.organisation.findMany({ where: { id: { in: rows.map((r) => r.orgId) }, path: { startsWith: scope.org.path } }, select: { id: true, name: true } });
  const names = new Map(orgs.map((o) => [o.id, o.name]));
  return rows.filter((r) => names.has(r.orgId)).map((r) => presentManualFigure(r, names.get(r.orgId)!));
}

export async function getTotalsDrilldown(ctx: ServiceContext, input: DrilldownInput) {
  const scope = await resolveScope(ctx, input);
  const base = {
    figure: input.figure,
    stage: input.stage,
    organisation: { id: scope.org.id, name: scope.org.name },
    filters: { from: scope.from, to: scope.to, mode: scope.mode, vehicleId: input.vehicleId ?? null },
    page: input.page,
    pageSize: input.pageSize,
  };
  const manual = await manualEntries(ctx, scope, input.figure);
  if (input.figure === "08C") return { ...base, ...(await payments(ctx, scope, input)), manualEntries: manual };
  if (input.figure === "10H" || input.figure === "11A") return { ...base, total: manual.length, manualEntries: manual };
  const vehicleLine = ["10B", "10C", "10D", "10E", "10F"].includes(input.figure) && !input.vehicleId;
  if (vehicleLine) return { ...base, ...(await vehicles(ctx, scope, input)), manualEntries: manual };
  return { ...base, ...(await travellers(ctx, scope, input)), manualEntries: manual };
}
