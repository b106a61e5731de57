// What the platform learns on the day: a vehicle left (recordVehicleDeparture) and who checked in at
// the door (recordBoarding). Reported by the transport operator that runs the vehicle, or by the
// city union on its behalf. The totals follow through the triggers in the same transaction.
import { rootOrgId } from "../../auth/principal.ts";
import { AppError, notFound } from "../../errors.ts";
import { recordAudit } from "../audit.ts";
import type { ServiceContext } from "../context.ts";

interface VehicleRow {
  id: string;
  label: string;
  mode: string;
  campaign_id: string;
  departure_at: Date;
  departed_at: Date | null;
  run_status: string;
  city_org_id: string;
  operator_id: string | null;
}

const vehicleNotFound = () => notFound({ zh: "未找到该车辆（班次）", en: "No such vehicle" });

async function vehicleForReport(ctx: ServiceContext, vehicleId: string): Promise<VehicleRow> {
  const rows = await ctx.db.$queryRawUnsafe<VehicleRow[]>(
    `SELECT v.id::text, v.label, v.mode::text, v.campaign_id::text, v.departure_at, v.departed_at, r.status::text AS run_status,
            c.city_org_id::text, cap.org_id::text AS operator_id
       FROM vehicles v
       JOIN allocation_runs r ON r.id = v.run_id
       JOIN campaigns c ON c.id = v.campaign_id
       LEFT JOIN capacities cap ON cap.id = v.capacity_id
      WHERE v.id = $1::uuid`,
    vehicleId,
  );
  const v = rows[0];
  if (!v || v.city_org_id !== rootOrgId(ctx.principal)) throw vehicleNotFound();
  // An operator reports only for its own vehicles; anyone else's answer as unknown.
  if (ctx.principal.orgKind === "TRANSPORT_OPERATOR" && v.operator_id !== ctx.principal.orgId) throw vehicleNotFound();
  if (v.run_status !== "PUBLISHED") {
    throw new AppError("CONFLICT", {
      code: "VEHICLE_NOT_IN_PUBLISHED_ALLOCATION",
      message: { zh: "该车辆不在已发布的乘车安排中", en: "The vehicle is not part of the published allocation" },
    });
  }
  return v;
}

function assertNotFuture(at: Date, path: string): void {
  if (at.getTime() > Date.now() + 5 * 60_000) {
    throw new AppError("VALIDATION_FAILED", {
      errors: [{ path, code: "TIME_IN_FUTURE", message: { zh: "时间不能晚于当前时间", en: "The time cannot be in the future" } }],
    });
  }
}

export interface DepartureInput {
  /** false withdraws a departure reported by mistake. */
  departed: boolean;
  /** When it left (default: now). */
  at?: string;
}

export async function recordVehicleDeparture(ctx: ServiceContext, vehicleId: string, input: DepartureInput) {
  const vehicle = await vehicleForReport(ctx, vehicleId);
  const at = input.departed ? (input.at ? new Date(input.at) : new Date()) : null;
  if (at) assertNotFuture(at, "body.at");
  return ctx.db.$transaction(async (tx) => {
    await tx.vehicle.update({ where: { id: vehicle.id }, data: { departedAt: at } });
    const persons = await tx.assignment.count({ where: { vehicleId: vehicle.id, status: "ASSIGNED" } });
    await recordAudit(tx, ctx, {
      action: input.departed ? "vehicle.departure.record" : "vehicle.departure.withdraw",
      entityType: "vehicle",
      entityId: vehicle.id,
      campaignId: vehicle.campaign_id,
      details: { label: vehicle.label, mode: vehicle.mode, before: vehicle.departed_at?.toISOString() ?? null, after: at?.toISOString() ?? null, persons },
    });
    return { id: vehicle.id, label: vehicle.label, mode: vehicle.mode, departureAt: vehicle.departure_at.toISOString(), departedAt: at?.toISOString() ?? null, persons };
  });
}

export interface BoardingInput {
  assignmentIds: string[];
  /** false clears a check-in reported by mistake. */
  boarded: boolean;
  at?: string;
}

export async function recordBoarding(ctx: ServiceContext, vehicleId: string, input: BoardingInput) {
  const vehicle = await vehicleForReport(ctx, vehicleId);
  const at = input.boarded ? (input.at ? new Date(input.at) : new Date()) : null;
  if (at) assertNotFuture(at, "body.at");
  const ids = [...new Set(input.assignmentIds)];
  const found = await ctx.db.assignment.findMany({ where: { id: { in: ids }, vehicleId: vehicle.id }, select: { id: true, status: true } });
  const byId = new Map(found.map((a) => [a.id, a.status]));
  const errors = input.assignmentIds.flatMap((id, i) => {
    const status = byId.get(id);
    if (!status) return [{ path: `body.assignmentIds.${i}`, code: "ASSIGNMENT_NOT_ON_VEHICLE", message: { zh: "该座位不属于此车辆", en: "This seat is not on this vehicle" } }];
    if (status !== "ASSIGNED") return [{ path: `body.assignmentIds.${i}`, code: "ASSIGNMENT_CANCELLED", message: { zh: "该座位已取消", en: "This seat was cancelled" } }];
    return [];
  });
  if (errors.length) throw new AppError("VALIDATION_FAILED", { errors });
  return ctx.db.$transaction(async (tx) => {
    const updated = await tx.assignment.updateMany({ where: { id: { in: ids }, vehicleId: vehicle.id, status: "ASSIGNED" }, data: { boardedAt: at } });
    const boardedOnVehicle = await tx.assignment.count({ where: { vehicleId: vehicle.id, status: "ASSIGNED", boardedAt: { not: null } } });
    await recordAudit(tx, ctx, {
      action: input.boarded ? "vehicle.boarding.record" : "vehicle.boarding.withdraw",
      entityType: "vehicle",
      entityId: vehicle.id,
      campaignId: vehicle.campaign_id,
      details: { label: vehicle.label, assignmentIds: ids, at: at?.toISOString() ?? null, updated: updated.count },
    });
    return { vehicleId: vehicle.id, label: vehicle.label, updated: updated.count, boardedOnVehicle, boardedAt: at?.toISOString() ?? null };
  });
}
