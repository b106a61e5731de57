import { greatCircleKm } from "../../intake/regions.ts";
import type { AllocationPolicy, GeoPoint } from "./types.ts";

/** Road km between two points: great-circle × the detour factor. */
export function roadKmBetween(a: GeoPoint, b: GeoPoint, policy: AllocationPolicy): number {
  if (a.lat === b.lat && a.lng === b.lng) return 0;
  return greatCircleKm(a, b) * policy.detourFactor;
}

/** Road km from the campaign origin: the distance table when it knows the place, else the estimate. */
export function roadKmFromOrigin(origin: GeoPoint, to: GeoPoint, policy: AllocationPolicy): number {
  const known = policy.distanceTable?.[to.regionCode];
  if (known !== undefined && Number.isFinite(known)) return known;
  return roadKmBetween(origin, to, policy);
}

/** Road km from a depot: the origin's distance table applies only when the depot is the origin. */
export function roadKmFromDepot(origin: GeoPoint, depot: GeoPoint, to: GeoPoint, policy: AllocationPolicy): number {
  if (samePlace(origin, depot)) return roadKmFromOrigin(origin, to, policy);
  return roadKmBetween(depot, to, policy);
}

export function samePlace(a: GeoPoint, b: GeoPoint): boolean {
  return a.regionCode === b.regionCode && a.lat === b.lat && a.lng === b.lng;
}

export function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
