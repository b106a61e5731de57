import { roadKmFromOrigin } from "./geo.ts";
import type { Family, Party } from "./state.ts";
import type { AllocationPolicy, EngineTraveler, GeoPoint, Mode } from "./types.ts";

/** The family a preferred mode belongs to. */
export function familyOfMode(mode: Mode): Family {
  return mode === "BUS" ? "BUS" : mode === "FLIGHT" ? "AIR" : "STATION";
}

/**
 * The order in which a party tries the families: by road distance (bus below busMaxKm, air above
 * airMinKm when flights exist, rail between), the preferred mode's family first, then the rest as
 * fallbacks when the first choice is full.
 */
export function familyOrder(roadKm: number, preference: Mode | null, policy: AllocationPolicy, flightsExist: boolean): Family[] {
  let order: Family[];
  if (roadKm < policy.busMaxKm) order = ["BUS", "STATION", "AIR"];
  else if (roadKm > policy.airMinKm && flightsExist) order = ["AIR", "STATION", "BUS"];
  else order = ["STATION", "AIR", "BUS"];
  if (preference) {
    const preferred = familyOfMode(preference);
    order = [preferred, ...order.filter((f) => f !== preferred)];
  }
  return order;
}

/** Travellers of one organisation with the same group tag ride together; everyone else alone. */
export function buildParties(travelers: EngineTraveler[], origin: GeoPoint, policy: AllocationPolicy, flightsExist: boolean): Party[] {
  const byKey = new Map<string, EngineTraveler[]>();
  for (const traveler of travelers) {
    const tag = traveler.groupTag?.trim();
    const key = tag ? `g\u0000${traveler.orgId}\u0000${tag}` : `t\u0000${traveler.id}`;
    const list = byKey.get(key);
    if (list) list.push(traveler);
    else byKey.set(key, [traveler]);
  }
  const parties: Party[] = [];
  for (const members of byKey.values()) {
    let earliest = members[0]!.earliestDate;
    let latest = members[0]!.latestDate;
    let roadKm = 0;
    let preference: Mode | null = null;
    for (const m of members) {
      if (m.earliestDate > earliest) earliest = m.earliestDate;
      if (m.latestDate < latest) latest = m.latestDate;
      roadKm = Math.max(roadKm, roadKmFromOrigin(origin, m.destination, policy));
      preference ??= m.preference ?? null;
    }
    parties.push({
      members,
      size: members.length,
      earliest,
      latest,
      roadKm,
      preference,
      families: familyOrder(roadKm, preference, policy, flightsExist),
      tried: 0,
      assigned: false,
      failures: [],
    });
  }
  return parties;
}
