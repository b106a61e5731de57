// The capacity registry: what transport partners offer for a campaign. Operators register and
// change their own; the city union registers on an operator's behalf. Seats already given out in
// the published allocation are protected: a change that would take them away answers 409 and says
// how many seats are taken.
import type { Principal } from "../../auth/principal.ts";
import { AppError, notFound } from "../../errors.ts";
import { isUniqueViolation, type DbOrTx } from "../../db/types.ts";
import type { EngineCapacity, GeoPoint } from "../../allocation/engine/types.ts";
import { recordAudit } from "../audit.ts";
import { campaignOfCity } from "./campaign-access.ts";
import type { ServiceContext } from "../context.ts";
import { dateFromDb, dateToDb } from "../dates.ts";
import { resolvePlaceRefs, type PlaceRef } from "../places/places.ts";
import {
  carTypeDefaults,
  detailsInputByMode,
  storedDetailsByMode,
  type CapacityInput,
  type CapacityPatch,
  type StoredBusDetails,
  type StoredGroupTicketDetails,
  type StoredPointToPointDetails,
  type StoredTrainDetails,
} from "./capacity-schemas.ts";

export type Mode = CapacityInput["mode"];

type CapacityRow = {
  id: string;
  campaignId: string;
  orgId: string;
  mode: Mode;
  label: string;
  departureDate: Date;
  departureMinute: number;
  seats: number;
  details: unknown;
  status: "ACTIVE" | "WITHDRAWN";
  version: number;
  createdAt: Date;
  updatedAt: Date;
};

const minuteToTime = (m: number) => `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
const timeToMinute = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5));

export function presentCapacity(row: CapacityRow, seatsTaken = 0) {
  return {
    id: row.id,
    campaignId: row.campaignId,
    operatorOrgId: row.orgId,
    mode: row.mode,
    label: row.label,
    departureDate: dateFromDb(row.departureDate),
    departureTime: minuteToTime(row.departureMinute),
    seats: row.seats,
    seatsTaken,
    details: row.details as Record<string, unknown>,
    status: row.status,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

function addDays(isoDate: string, days: number): string {
  const d = dateToDb(isoDate);
  d.setUTCDate(d.getUTCDate() + days);
  return dateFromDb(d);
}

const invalid = (path: string, code: string, zh: string, en: string) =>
  new AppError("VALIDATION_FAILED", { errors: [{ path, code, message: { zh, en } }] });

/**
 * Validates `details` with the mode's schema and resolves every station, giving the stored form,
 * the seat count and the default label.
 */
export async function normaliseDetails(db: DbOrTx, cityOrgId: string, mode: Mode, raw: unknown, departureDate: string, path = "body.details") {
  const parsed = detailsInputByMode[mode].safeParse(raw);
  if (!parsed.success) {
    throw new AppError("VALIDATION_FAILED", {
      errors: parsed.error.issues.map((i) => ({ path: [path, ...i.path.map(String)].join("."), code: `INVALID_${i.code.toUpperCase()}`, message: { zh: "取值无效", en: i.message } })),
    });
  }
  const input = parsed.data as Record<string, any>;
  const resolve = (refs: { ref: PlaceRef; path: string }[]) => resolvePlaceRefs(db, cityOrgId, refs);
  const contact = input.contactPhone ? { contactPhone: input.contactPhone as string } : {};
  switch (mode) {
    case "BUS": {
      const [depot] = input.depot ? await resolve([{ ref: input.depot, path: `${path}.depot` }]) : [];
      const validFrom: string = input.validFrom ?? departureDate;
      const validTo: string = input.validTo ?? addDays(departureDate, 3);
      if (validTo < validFrom) throw invalid(`${path}.validTo`, "VALIDITY_REVERSED", "标志牌有效期结束早于开始", "The sign's validity ends before it starts");
      const details: StoredBusDetails = { ...contact, plate: input.plate, seats: input.seats, drivers: input.drivers, maxStops: input.maxStops, seatsPerRow: input.seatsPerRow, depot: depot ?? null, validFrom, validTo };
      return { details, seats: details.seats, defaultLabel: details.plate };
    }
    case "SPECIAL_TRAIN":
    case "RESERVED_CARRIAGE": {
      const seen = new Set<string>();
      const cars = (input.cars as { car: string; type: string; seats?: number; seatsPerRow?: number }[]).map((car, i) => {
        const number = car.car.padStart(2, "0");
        if (seen.has(number)) throw invalid(`${path}.cars.${i}.car`, "CAR_DUPLICATE", `车厢号 ${number} 重复`, `Car ${number} appears twice`);
        seen.add(number);
        const defaults = carTypeDefaults[car.type];
        if (!defaults && car.seats === undefined) {
          throw invalid(`${path}.cars.${i}.seats`, "CAR_SEATS_REQUIRED", `车型 ${car.type} 没有默认座位数，请填写 seats`, `Car type ${car.type} has no default seat count; give seats`);
        }
        return { car: number, type: car.type, seats: car.seats ?? defaults!.seats, seatsPerRow: car.seatsPerRow ?? defaults?.seatsPerRow ?? 5 };
      });
      const stopRefs = input.stops as { place: PlaceRef; arrivalOffsetMinutes: number }[];
      for (let i = 1; i < stopRefs.length; i++) {
        if (stopRefs[i]!.arrivalOffsetMinutes <= stopRefs[i - 1]!.arrivalOffsetMinutes) {
          throw invalid(`${path}.stops.${i}.arrivalOffsetMinutes`, "STOPS_NOT_IN_ORDER", "各站到达时间须依次递增", "Stops must be in order of arrival");
        }
      }
      const points = await resolve([...(input.from ? [{ ref: input.from as PlaceRef, path: `${path}.from` }] : []), ...stopRefs.map((s, i) => ({ ref: s.place, path: `${path}.stops.${i}.place` }))]);
      const from = input.from ? points.shift()! : null;
      const details: StoredTrainDetails = { ...contact, trainNumber: input.trainNumber, from, cars, stops: points.map((p, i) => ({ ...p, arrivalOffsetMinutes: stopRefs[i]!.arrivalOffsetMinutes })) };
      return { details, seats: cars.reduce((n, c) => n + c.seats, 0), defaultLabel: details.trainNumber };
    }
    case "GROUP_TICKET": {
      const [from, to] = await resolve([{ ref: input.from, path: `${path}.from` }, { ref: input.to.place, path: `${path}.to.place` }]);
      const details: StoredGroupTicketDetails = { ...contact, trainNumber: input.trainNumber, from: from!, to: { ...to!, arrivalOffsetMinutes: input.to.arrivalOffsetMinutes }, count: input.count };
      return { details, seats: details.count, defaultLabel: `${details.trainNumber} ${from!.name}→${to!.name}` };
    }
    case "BOAT":
    case "FLIGHT": {
      const [to] = await resolve([{ ref: input.to.place, path: `${path}.to.place` }]);
      const details: StoredPointToPointDetails = { ...contact, number: input.number, seats: input.seats, seatsPerRow: input.seatsPerRow, to: { ...to!, arrivalOffsetMinutes: input.to.arrivalOffsetMinutes } };
      return { details, seats: details.seats, defaultLabel: details.number };
    }
  }
}

/** The engine's view of a stored capacity. */
export function toEngineCapacity(row: Pick<CapacityRow, "id" | "mode" | "label" | "departureDate" | "departureMinute" | "details">): EngineCapacity {
  const base = { id: row.id, label: row.label, departureDate: dateFromDb(row.departureDate), departureMinute: row.departureMinute };
  const point = (p: GeoPoint): GeoPoint => ({ name: p.name, regionCode: p.regionCode, lat: p.lat, lng: p.lng, ...(p.placeId ? { placeId: p.placeId } : {}) });
  switch (row.mode) {
    case "BUS": {
      const d = storedDetailsByMode.BUS.parse(row.details);
      return { ...base, mode: "BUS", seats: d.seats, drivers: d.drivers, maxStops: d.maxStops, seatsPerRow: d.seatsPerRow, ...(d.depot ? { depot: point(d.depot) } : {}) };
    }
    case "SPECIAL_TRAIN":
    case "RESERVED_CARRIAGE": {
      const d = storedDetailsByMode.SPECIAL_TRAIN.parse(row.details);
      return { ...base, mode: row.mode, cars: d.cars, stops: d.stops.map((s) => ({ ...point(s), arrivalOffsetMinutes: s.arrivalOffsetMinutes })) };
    }
    case "GROUP_TICKET": {
      const d = storedDetailsByMode.GROUP_TICKET.parse(row.details);
      return { ...base, mode: "GROUP_TICKET", from: point(d.from), to: { ...point(d.to), arrivalOffsetMinutes: d.to.arrivalOffsetMinutes }, count: d.count };
    }
    case "BOAT":
    case "FLIGHT": {
      const d = storedDetailsByMode.POINT_TO_POINT.parse(row.details);
      return { ...base, mode: row.mode, seats: d.seats, seatsPerRow: d.seatsPerRow, to: { ...point(d.to), arrivalOffsetMinutes: d.to.arrivalOffsetMinutes } };
    }
  }
}

/** The operator a new capacity belongs to: the caller when it is an operator, else the one named. */
async function owningOrg(db: DbOrTx, principal: Principal, operatorOrgId: string | undefined): Promise<string> {
  if (principal.orgKind === "TRANSPORT_OPERATOR") {
    if (operatorOrgId && operatorOrgId !== principal.orgId) {
      throw invalid("body.operatorOrgId", "OPERATOR_NOT_SELF", "运输企业只能登记本单位的运力", "A transport operator registers capacity for itself only");
    }
    return principal.orgId;
  }
  if (!operatorOrgId) return principal.orgId;
  const org = await db.organisation.findUnique({ where: { id: operatorOrgId } });
  if (!org || !org.path.startsWith(principal.orgPath) || org.kind !== "TRANSPORT_OPERATOR") {
    throw invalid("body.operatorOrgId", "OPERATOR_UNKNOWN", "不是本市的运输企业", "Not a transport operator of this city");
  }
  return org.id;
}

/** Seats of the capacity held in the published run, per car ("" for buses, boats, flights). */
export async function publishedSeatsTaken(db: DbOrTx, capacityIds: string[]): Promise<Map<string, Map<string, number>>> {
  const result = new Map<string, Map<string, number>>();
  if (capacityIds.length === 0) return result;
  const rows = await db.$queryRaw<{ capacity_id: string; car: string; n: bigint }[]>`
    SELECT v.capacity_id::text, a.car, count(*) AS n
      FROM assignments a
      JOIN vehicles v ON v.id = a.vehicle_id
      JOIN allocation_runs r ON r.id = a.run_id
     WHERE r.status = 'PUBLISHED' AND a.status = 'ASSIGNED' AND v.capacity_id = ANY(${capacityIds}::uuid[])
     GROUP BY v.capacity_id, a.car`;
  for (const row of rows) {
    const byCar = result.get(row.capacity_id) ?? new Map<string, number>();
    byCar.set(row.car, Number(row.n));
    result.set(row.capacity_id, byCar);
  }
  return result;
}

const total = (byCar: Map<string, number> | undefined) => [...(byCar?.values() ?? [])].reduce((a, b) => a + b, 0);

const inUse = (code: string, taken: number, zh: string, en: string) =>
  new AppError("CONFLICT", { code, message: { zh, en }, detail: en, extensions: { seatsTaken: taken } });

export async function registerCapacity(ctx: ServiceContext, campaignId: string, input: CapacityInput) {
  const campaign = await campaignOfCity(ctx.db, ctx.principal, campaignId);
  const orgId = await owningOrg(ctx.db, ctx.principal, input.operatorOrgId);
  const normalised = await normaliseDetails(ctx.db, campaign.cityOrgId, input.mode, input.details, input.departureDate);
  try {
    return await ctx.db.$transaction(async (tx) => {
      const row = await tx.capacity.create({
        data: {
          campaignId,
          orgId,
          mode: input.mode,
          label: input.label ?? normalised.defaultLabel,
          departureDate: dateToDb(input.departureDate),
          departureMinute: timeToMinute(input.departureTime),
          seats: normalised.seats,
          details: normalised.details as object,
          createdBy: ctx.principal.actorLabel,
        },
      });
      await recordAudit(tx, ctx, { action: "capacity.register", entityType: "capacity", entityId: row.id, orgId, campaignId, details: { mode: row.mode, label: row.label, seats: row.seats, departureDate: input.departureDate } });
      return presentCapacity(row as CapacityRow);
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new AppError("CONFLICT", { code: "CAPACITY_DUPLICATE", message: { zh: "同一天已登记了相同的车辆/车次", en: "This vehicle or train is already registered for that day" } });
    }
    throw error;
  }
}

export async function listCapacity(ctx: ServiceContext, campaignId: string, filter: { mode?: Mode; status?: "ACTIVE" | "WITHDRAWN" } = {}) {
  await campaignOfCity(ctx.db, ctx.principal, campaignId);
  const rows = await ctx.db.capacity.findMany({
    where: {
      campaignId,
      mode: filter.mode,
      status: filter.status,
      ...(ctx.principal.orgKind === "TRANSPORT_OPERATOR" ? { orgId: ctx.principal.orgId } : {}),
    },
    orderBy: [{ departureDate: "asc" }, { departureMinute: "asc" }, { label: "asc" }],
  });
  const taken = await publishedSeatsTaken(ctx.db, rows.map((r) => r.id));
  return rows.map((r) => presentCapacity(r as CapacityRow, total(taken.get(r.id))));
}

/** The capacity if the caller may change it: the city union of its campaign or its own operator. */
async function loadForChange(tx: DbOrTx, principal: Principal, id: string) {
  const row = await tx.capacity.findUnique({ where: { id } });
  if (!row) throw notFound();
  await campaignOfCity(tx, principal, row.campaignId);
  if (principal.orgKind === "TRANSPORT_OPERATOR" && row.orgId !== principal.orgId) throw notFound();
  return row as CapacityRow;
}

export async function updateCapacity(ctx: ServiceContext, id: string, patch: CapacityPatch) {
  return ctx.db.$transaction(async (tx) => {
    const current = await loadForChange(tx, ctx.principal, id);
    if (current.status === "WITHDRAWN") throw conflictWithdrawn();
    if (current.version !== patch.version) throw new AppError("VERSION_CONFLICT", { extensions: { currentVersion: current.version } });
    const campaign = await campaignOfCity(tx, ctx.principal, current.campaignId);
    const departureDate = patch.departureDate ?? dateFromDb(current.departureDate);
    const normalised = patch.details ? await normaliseDetails(tx, campaign.cityOrgId, current.mode, patch.details, departureDate) : undefined;
    const taken = (await publishedSeatsTaken(tx, [id])).get(id);
    const takenTotal = total(taken);
    if (normalised && takenTotal > 0) {
      if (normalised.seats < takenTotal) {
        throw inUse("CAPACITY_SEATS_IN_USE", takenTotal, `已发布的分配方案占用了 ${takenTotal} 个座位，座位数不能减少到 ${normalised.seats}`, `${takenTotal} seats are taken in the published allocation; seats cannot go down to ${normalised.seats}`);
      }
      if (current.mode === "SPECIAL_TRAIN" || current.mode === "RESERVED_CARRIAGE") {
        const cars = new Map((normalised.details as StoredTrainDetails).cars.map((c) => [c.car, c.seats]));
        for (const [car, n] of taken ?? []) {
          if ((cars.get(car) ?? 0) < n) {
            throw inUse("CAPACITY_SEATS_IN_USE", takenTotal, `${car} 号车厢已有 ${n} 个座位分配给旅客，不能删除或减少`, `Car ${car} holds ${n} assigned seats; it cannot be removed or reduced below that`);
          }
        }
      }
    }
    if (takenTotal > 0 && (patch.departureDate || patch.departureTime)) {
      const sameDate = departureDate === dateFromDb(current.departureDate);
      const sameTime = !patch.departureTime || timeToMinute(patch.departureTime) === current.departureMinute;
      if (!sameDate || !sameTime) {
        throw inUse("CAPACITY_SCHEDULE_IN_USE", takenTotal, `已有 ${takenTotal} 名旅客被通知乘坐此班次，不能更改出发时间；请登记新的运力并重新分配`, `${takenTotal} travellers hold seats on this departure; its time cannot change. Register new capacity and re-run the allocation`);
      }
    }
    const row = await tx.capacity.update({
      where: { id },
      data: {
        label: patch.label,
        departureDate: patch.departureDate ? dateToDb(patch.departureDate) : undefined,
        departureMinute: patch.departureTime ? timeToMinute(patch.departureTime) : undefined,
        ...(normalised ? { seats: normalised.seats, details: normalised.details as object } : {}),
        version: { increment: 1 },
      },
    });
    await recordAudit(tx, ctx, { action: "capacity.update", entityType: "capacity", entityId: id, orgId: row.orgId, campaignId: row.campaignId, details: { fields: Object.keys(patch).filter((k) => k !== "version"), seats: row.seats } });
    return presentCapacity(row as CapacityRow, takenTotal);
  });
}

const conflictWithdrawn = () =>
  new AppError("CONFLICT", { code: "CAPACITY_WITHDRAWN", message: { zh: "该运力已撤回", en: "This capacity has been withdrawn" } });

export async function withdrawCapacity(ctx: ServiceContext, id: string) {
  return ctx.db.$transaction(async (tx) => {
    const current = await loadForChange(tx, ctx.principal, id);
    if (current.status === "WITHDRAWN") throw conflictWithdrawn();
    const taken = total((await publishedSeatsTaken(tx, [id])).get(id));
    if (taken > 0) {
      throw inUse("CAPACITY_IN_USE", taken, `已发布的分配方案中有 ${taken} 名旅客乘坐此运力，不能撤回；请先重新分配并发布`, `${taken} travellers hold seats on this capacity in the published allocation; re-run and publish an allocation without it first`);
    }
    const row = await tx.capacity.update({ where: { id }, data: { status: "WITHDRAWN", version: { increment: 1 } } });
    await recordAudit(tx, ctx, { action: "capacity.withdraw", entityType: "capacity", entityId: id, orgId: row.orgId, campaignId: row.campaignId, details: { label: row.label } });
    return presentCapacity(row as CapacityRow, 0);
  });
}
