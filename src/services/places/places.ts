// Stations, ports, airports, depots and pickup points of a city's campaigns, each mapped to a
// GB/T 2260 region code with coordinates. Places belong to the city union at the root of the
// caller's tree; capacity refers to them by id (or names a station by region code directly).
import { rootOrgId } from "../../auth/principal.ts";
import { AppError } from "../../errors.ts";
import { isUniqueViolation, type DbOrTx } from "../../db/types.ts";
import type { GeoPoint } from "../../allocation/engine/types.ts";
import { lookupRegion } from "../../intake/regions.ts";
import { recordAudit } from "../audit.ts";
import type { ServiceContext } from "../context.ts";

export type PlaceKind = "STATION" | "PORT" | "AIRPORT" | "DEPOT" | "PICKUP";

export interface PlaceInput {
  kind: PlaceKind;
  name: string;
  code?: string;
  regionCode: string;
  /** Both or neither: without them the region's coordinates are used. */
  lat?: number;
  lng?: number;
  address?: string;
}

type PlaceRow = { id: string; kind: PlaceKind; name: string; code: string | null; regionCode: string; lat: number; lng: number; address: string | null; createdAt: Date };

export function presentPlace(row: PlaceRow) {
  return { id: row.id, kind: row.kind, name: row.name, code: row.code, regionCode: row.regionCode, lat: row.lat, lng: row.lng, address: row.address, createdAt: row.createdAt.toISOString() };
}

const unknownRegion = (path: string, code: string) =>
  new AppError("VALIDATION_FAILED", {
    errors: [{ path, code: "REGION_UNKNOWN", message: { zh: `未知的行政区划代码 ${code}`, en: `Unknown region code ${code}` } }],
  });

export async function registerPlace(ctx: ServiceContext, input: PlaceInput) {
  const region = lookupRegion(input.regionCode);
  if (!region) throw unknownRegion("body.regionCode", input.regionCode);
  if ((input.lat === undefined) !== (input.lng === undefined)) {
    throw new AppError("VALIDATION_FAILED", {
      errors: [{ path: "body.lat", code: "COORDINATES_INCOMPLETE", message: { zh: "经纬度须同时提供", en: "Give both lat and lng, or neither" } }],
    });
  }
  try {
    return await ctx.db.$transaction(async (tx) => {
      const row = await tx.place.create({
        data: {
          cityOrgId: rootOrgId(ctx.principal),
          kind: input.kind,
          name: input.name,
          code: input.code ?? null,
          regionCode: region.code,
          lat: input.lat ?? region.lat,
          lng: input.lng ?? region.lng,
          address: input.address ?? null,
        },
      });
      await recordAudit(tx, ctx, { action: "place.register", entityType: "place", entityId: row.id, details: { kind: row.kind, name: row.name, regionCode: row.regionCode } });
      return presentPlace(row);
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new AppError("CONFLICT", { code: "PLACE_NAME_TAKEN", message: { zh: "已有同名同类地点", en: "A place of this kind with this name already exists" } });
    }
    throw error;
  }
}

export async function listPlaces(ctx: ServiceContext, filter: { kind?: PlaceKind; regionCode?: string } = {}) {
  const rows = await ctx.db.place.findMany({
    where: { cityOrgId: rootOrgId(ctx.principal), kind: filter.kind, regionCode: filter.regionCode },
    orderBy: [{ kind: "asc" }, { name: "asc" }],
  });
  return rows.map(presentPlace);
}

/** A place named by id, or a station given by name and region code (coordinates of the region). */
export type PlaceRef = { placeId: string } | { name: string; regionCode: string; code?: string };

/**
 * Resolves references to points with coordinates, in one query. Unknown ids and region codes are
 * field problems at `paths[i]`, all reported together.
 */
export async function resolvePlaceRefs(db: DbOrTx, cityOrgId: string, refs: { ref: PlaceRef; path: string }[]): Promise<GeoPoint[]> {
  const ids = [...new Set(refs.flatMap(({ ref }) => ("placeId" in ref ? [ref.placeId] : [])))];
  const rows = ids.length ? await db.place.findMany({ where: { id: { in: ids }, cityOrgId } }) : [];
  const byId = new Map(rows.map((r) => [r.id, r]));
  const problems: { path: string; code: string; message: { zh: string; en: string } }[] = [];
  const points: GeoPoint[] = [];
  for (const { ref, path } of refs) {
    if ("placeId" in ref) {
      const row = byId.get(ref.placeId);
      if (!row) {
        problems.push({ path: `${path}.placeId`, code: "PLACE_UNKNOWN", message: { zh: "没有这个地点", en: "No such place in this city" } });
        continue;
      }
      points.push({ name: row.name, regionCode: row.regionCode, lat: row.lat, lng: row.lng, placeId: row.id });
    } else {
      const region = lookupRegion(ref.regionCode);
      if (!region) {
        problems.push({ path: `${path}.regionCode`, code: "REGION_UNKNOWN", message: { zh: `未知的行政区划代码 ${ref.regionCode}`, en: `Unknown region code ${ref.regionCode}` } });
        continue;
      }
      points.push({ name: ref.name, regionCode: region.code, lat: region.lat, lng: region.lng });
    }
  }
  if (problems.length) throw new AppError("VALIDATION_FAILED", { errors: problems });
  return points;
}
