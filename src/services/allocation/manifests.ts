// Manifests (乘车名单): who sits where on a vehicle, who of an enterprise rides what, who gets off
// at a stop. Visibility: the city union sees everything of its campaigns; a district or an
// enterprise sees its own subtree's travellers; a transport operator sees its own vehicles. ID
// numbers are masked for everyone, except the operator's own staff asking for real-name tickets
// (?reveal=ids), and every such read is written to the audit log.
import { rootOrgId, roleRank, type Principal } from "../../auth/principal.ts";
import { assertInSubtree } from "../../auth/policy.ts";
import type { DbOrTx } from "../../db/types.ts";
import { AppError, notFound } from "../../errors.ts";
import { recordAudit } from "../audit.ts";
import type { ServiceContext } from "../context.ts";
import { storedDetailsByMode } from "./capacity-schemas.ts";
import type { StoredUnassigned } from "./runs.ts";

export interface StoredStop {
  name: string;
  regionCode: string;
  lat: number;
  lng: number;
  placeId?: string;
  arriveAt: string;
  km: number;
}

export interface ManifestRow {
  car: string;
  seat: string;
  name: string;
  idNumber: string;
  mobile: string;
  enterpriseId: string;
  enterprise: string;
  dropStop: number;
  dropStopName: string;
  dropRegionCode: string;
  arriveAt: string | null;
  onwardKm: number;
}

export interface CharterSign {
  /** 包车客运标志牌: 起讫地、主要停靠站点、车牌号、承运人、驾驶员人数、有效期 */
  origin: string;
  destination: string;
  mainStops: string[];
  plate: string;
  operator: string;
  drivers: number;
  validFrom: string;
  validTo: string;
}

export interface VehicleManifest {
  kind: "vehicle";
  vehicle: {
    id: string;
    runId: string;
    runSeq: number;
    runStatus: string;
    mode: string;
    label: string;
    departureAt: string;
    seatsTotal: number;
    seatsUsed: number;
    km: number;
    operator: { id: string; name: string };
    contactPhone: string | null;
    route: (StoredStop & { index: number })[];
  };
  charterSign: CharterSign | null;
  /** When the manifest is limited to one drop-off stop. */
  stop: number | null;
  idsRevealed: boolean;
  rows: ManifestRow[];
}

export interface EnterpriseManifestRow {
  name: string;
  idNumber: string;
  mobile: string;
  enterpriseId: string;
  enterprise: string;
  mode: string;
  vehicleId: string;
  vehicle: string;
  departureAt: string;
  from: string;
  car: string;
  seat: string;
  dropStopName: string;
  dropRegionCode: string;
  arriveAt: string | null;
}

export interface EnterpriseManifest {
  kind: "enterprise";
  organisation: { id: string; name: string };
  run: { id: string; seq: number; status: string };
  rows: EnterpriseManifestRow[];
  unassigned: { name: string; idNumber: string; enterprise: string; reason: string; detail: string }[];
}

const routeOf = (json: unknown) => (Array.isArray(json) ? (json as StoredStop[]) : []);

async function loadVehicle(db: DbOrTx, principal: Principal, vehicleId: string) {
  const vehicle = await db.vehicle.findUnique({ where: { id: vehicleId }, include: { run: true } });
  if (!vehicle) throw notFound();
  const campaign = await db.campaign.findUnique({ where: { id: vehicle.campaignId }, select: { cityOrgId: true } });
  if (!campaign || campaign.cityOrgId !== rootOrgId(principal)) throw notFound();
  const isCity = principal.orgKind === "CITY_UNION";
  // Only the city union reviews runs before publication; everyone else sees the published one.
  if (!isCity && vehicle.run.status !== "PUBLISHED") throw notFound();
  const capacity = await db.capacity.findUniqueOrThrow({ where: { id: vehicle.capacityId } });
  const operator = await db.organisation.findUniqueOrThrow({ where: { id: capacity.orgId }, select: { id: true, name: true } });
  if (principal.orgKind === "TRANSPORT_OPERATOR" && capacity.orgId !== principal.orgId) throw notFound();
  return { vehicle, capacity, operator };
}

export async function getVehicleManifest(ctx: ServiceContext, vehicleId: string, options: { reveal?: "ids"; stop?: number } = {}): Promise<VehicleManifest> {
  const { principal } = ctx;
  const { vehicle, capacity, operator } = await loadVehicle(ctx.db, principal, vehicleId);
  const reveal = options.reveal === "ids";
  if (reveal) {
    const ownOperator = principal.orgKind === "TRANSPORT_OPERATOR" && capacity.orgId === principal.orgId;
    if (!ownOperator || roleRank[principal.role] < roleRank.STAFF || vehicle.run.status !== "PUBLISHED") {
      throw new AppError("FORBIDDEN", {
        code: "ID_REVEAL_FORBIDDEN",
        message: { zh: "只有承运企业的工作人员可以查看本单位车辆已发布名单的完整身份证号", en: "Only the operator's own staff may see full ID numbers, on its vehicles of the published allocation" },
      });
    }
  }
  // Unions other than the city see their own subtree's travellers only; operators and the city see all.
  const restrict = principal.orgKind === "DISTRICT_UNION" || principal.orgKind === "ENTERPRISE_UNION" ? principal.orgPath : "/";
  const route = routeOf(vehicle.route);
  const rows = await ctx.db.$queryRaw<
    { car: string; seat: string; name: string; id_masked: string; id_sealed: string; mobile_masked: string; org_id: string; org_name: string; drop_stop: number; drop_region_code: string; onward_km: number }[]
  >`
    SELECT a.car, a.seat, t.name, t.id_masked, t.id_sealed, t.mobile_masked, o.id::text AS org_id, o.name AS org_name,
           a.drop_stop, a.drop_region_code, a.onward_km
      FROM assignments a
      JOIN travelers t ON t.id = a.traveler_id
      JOIN organisations o ON o.id = a.org_id
     WHERE a.vehicle_id = ${vehicleId}::uuid AND a.status = 'ASSIGNED'
       AND starts_with(o.path, ${restrict})
       AND (${options.stop ?? null}::int IS NULL OR a.drop_stop = ${options.stop ?? null}::int)
     ORDER BY a.car, length(a.seat), a.seat`;
  if (restrict !== "/" && rows.length === 0) throw notFound();
  if (options.stop !== undefined && (options.stop < 1 || options.stop >= route.length)) {
    throw new AppError("NOT_FOUND", { code: "STOP_NOT_FOUND", message: { zh: "该车辆没有这个停靠站", en: "The vehicle has no such stop" } });
  }
  const manifestRows: ManifestRow[] = rows.map((r) => ({
    car: r.car,
    seat: r.seat,
    name: r.name,
    idNumber: reveal ? ctx.pii.open(r.id_sealed) : r.id_masked,
    mobile: r.mobile_masked,
    enterpriseId: r.org_id,
    enterprise: r.org_name,
    dropStop: r.drop_stop,
    dropStopName: route[r.drop_stop]?.name ?? r.drop_region_code,
    dropRegionCode: r.drop_region_code,
    arriveAt: route[r.drop_stop]?.arriveAt ?? null,
    onwardKm: Math.round(r.onward_km),
  }));
  if (reveal) {
    await recordAudit(ctx.db, ctx, {
      action: "manifest.reveal_ids",
      entityType: "vehicle",
      entityId: vehicleId,
      orgId: principal.orgId,
      campaignId: vehicle.campaignId,
      details: { runId: vehicle.runId, label: vehicle.label, idsShown: manifestRows.length, stop: options.stop ?? null },
    });
  }
  const details = capacity.details as Record<string, unknown>;
  let charterSign: CharterSign | null = null;
  if (vehicle.mode === "BUS") {
    const bus = storedDetailsByMode.BUS.safeParse(capacity.details);
    if (bus.success) {
      charterSign = {
        origin: route[0]?.name ?? "",
        destination: route[route.length - 1]?.name ?? "",
        mainStops: route.slice(1, -1).map((s) => s.name),
        plate: bus.data.plate,
        operator: operator.name,
        drivers: bus.data.drivers,
        validFrom: bus.data.validFrom,
        validTo: bus.data.validTo,
      };
    }
  }
  return {
    kind: "vehicle",
    vehicle: {
      id: vehicle.id,
      runId: vehicle.runId,
      runSeq: vehicle.run.seq,
      runStatus: vehicle.run.status,
      mode: vehicle.mode,
      label: vehicle.label,
      departureAt: vehicle.departureAt.toISOString(),
      seatsTotal: vehicle.seatsTotal,
      seatsUsed: vehicle.seatsUsed,
      km: Math.round(vehicle.km),
      operator,
      contactPhone: typeof details.contactPhone === "string" ? details.contactPhone : null,
      route: route.map((s, index) => ({ ...s, index })),
    },
    charterSign,
    stop: options.stop ?? null,
    idsRevealed: reveal,
    rows: manifestRows,
  };
}

export async function getEnterpriseManifest(ctx: ServiceContext, campaignId: string, orgId: string, options: { runId?: string } = {}): Promise<EnterpriseManifest> {
  const { principal } = ctx;
  const campaign = await ctx.db.campaign.findUnique({ where: { id: campaignId }, select: { cityOrgId: true } });
  if (!campaign || campaign.cityOrgId !== rootOrgId(principal)) throw notFound();
  const org = await ctx.db.organisation.findUnique({ where: { id: orgId }, select: { id: true, name: true, path: true } });
  assertInSubtree(principal, org?.path);
  const run = options.runId
    ? await ctx.db.allocationRun.findFirst({ where: { id: options.runId, campaignId } })
    : await ctx.db.allocationRun.findFirst({ where: { campaignId, status: "PUBLISHED" } });
  if (!run || (principal.orgKind !== "CITY_UNION" && run.status !== "PUBLISHED")) {
    throw new AppError("NOT_FOUND", { code: "ALLOCATION_NOT_PUBLISHED", message: { zh: "尚未发布分配方案", en: "No allocation has been published for this campaign" } });
  }
  const rows = await ctx.db.$queryRaw<
    { name: string; id_masked: string; mobile_masked: string; org_id: string; org_name: string; mode: string; vehicle_id: string; label: string; departure_at: Date; route: unknown; car: string; seat: string; drop_stop: number; drop_region_code: string }[]
  >`
    SELECT t.name, t.id_masked, t.mobile_masked, o.id::text AS org_id, o.name AS org_name, v.mode::text AS mode, v.id::text AS vehicle_id,
           v.label, v.departure_at, v.route, a.car, a.seat, a.drop_stop, a.drop_region_code
      FROM assignments a
      JOIN travelers t ON t.id = a.traveler_id
      JOIN organisations o ON o.id = a.org_id
      JOIN vehicles v ON v.id = a.vehicle_id
     WHERE a.run_id = ${run.id}::uuid AND a.status = 'ASSIGNED' AND starts_with(o.path, ${org!.path})
     ORDER BY v.departure_at, v.label, a.car, length(a.seat), a.seat`;
  const unassignedList = ((run.report ?? {}) as { unassignedList?: StoredUnassigned[] }).unassignedList ?? [];
  const reasons = new Map(unassignedList.map((u) => [u.travelerId, u]));
  const unassignedRows = reasons.size
    ? await ctx.db.$queryRaw<{ id: string; name: string; id_masked: string; org_name: string }[]>`
        SELECT t.id::text, t.name, t.id_masked, o.name AS org_name
          FROM travelers t JOIN organisations o ON o.id = t.org_id
         WHERE t.id = ANY(${[...reasons.keys()]}::uuid[]) AND starts_with(o.path, ${org!.path})
         ORDER BY o.name, t.name`
    : [];
  return {
    kind: "enterprise",
    organisation: { id: org!.id, name: org!.name },
    run: { id: run.id, seq: run.seq, status: run.status },
    rows: rows.map((r) => {
      const route = routeOf(r.route);
      return {
        name: r.name,
        idNumber: r.id_masked,
        mobile: r.mobile_masked,
        enterpriseId: r.org_id,
        enterprise: r.org_name,
        mode: r.mode,
        vehicleId: r.vehicle_id,
        vehicle: r.label,
        departureAt: r.departure_at.toISOString(),
        from: route[0]?.name ?? "",
        car: r.car,
        seat: r.seat,
        dropStopName: route[r.drop_stop]?.name ?? r.drop_region_code,
        dropRegionCode: r.drop_region_code,
        arriveAt: route[r.drop_stop]?.arriveAt ?? null,
      };
    }),
    unassigned: unassignedRows.map((u) => ({ name: u.name, idNumber: u.id_masked, enterprise: u.org_name, reason: reasons.get(u.id)!.reason, detail: reasons.get(u.id)!.detail })),
  };
}

export interface VisibleVehicle {
  id: string;
  mode: string;
  label: string;
  departureAt: string;
  from: string;
  seatsUsed: number;
  seatsTotal: number;
  /** Travellers of the caller's subtree on it (everyone for the city and the operator). */
  travelers: number;
}

/**
 * The vehicles of the campaign's published run the caller may open a manifest of: all for the
 * city union, its own for an operator, those carrying its subtree's travellers for other unions.
 */
export async function listVisibleVehicles(ctx: ServiceContext, campaignId: string): Promise<{ run: { id: string; seq: number } | null; vehicles: VisibleVehicle[] }> {
  const { principal } = ctx;
  const campaign = await ctx.db.campaign.findUnique({ where: { id: campaignId }, select: { cityOrgId: true } });
  if (!campaign || campaign.cityOrgId !== rootOrgId(principal)) throw notFound();
  const run = await ctx.db.allocationRun.findFirst({ where: { campaignId, status: "PUBLISHED" }, select: { id: true, seq: true } });
  if (!run) return { run: null, vehicles: [] };
  const operatorId = principal.orgKind === "TRANSPORT_OPERATOR" ? principal.orgId : null;
  const restrict = principal.orgKind === "DISTRICT_UNION" || principal.orgKind === "ENTERPRISE_UNION" ? principal.orgPath : "/";
  const rows = await ctx.db.$queryRaw<{ id: string; mode: string; label: string; departure_at: Date; origin: string | null; seats_used: number; seats_total: number; mine: bigint }[]>`
    SELECT v.id::text, v.mode::text AS mode, v.label, v.departure_at, v.route->0->>'name' AS origin, v.seats_used, v.seats_total,
           count(a.id) FILTER (WHERE starts_with(o.path, ${restrict})) AS mine
      FROM vehicles v
      JOIN capacities c ON c.id = v.capacity_id
      LEFT JOIN assignments a ON a.vehicle_id = v.id AND a.status = 'ASSIGNED'
      LEFT JOIN organisations o ON o.id = a.org_id
     WHERE v.run_id = ${run.id}::uuid AND (${operatorId}::uuid IS NULL OR c.org_id = ${operatorId}::uuid)
     GROUP BY v.id
    HAVING ${restrict} = '/' OR count(a.id) FILTER (WHERE starts_with(o.path, ${restrict})) > 0
     ORDER BY v.departure_at, v.label`;
  return {
    run,
    vehicles: rows.map((r) => ({ id: r.id, mode: r.mode, label: r.label, departureAt: r.departure_at.toISOString(), from: r.origin ?? "", seatsUsed: r.seats_used, seatsTotal: r.seats_total, travelers: Number(r.mine) })),
  };
}
