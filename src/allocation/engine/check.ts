// An independent check of an allocation result against its input: the properties every run must
// have, whatever the algorithm did. Used by the tests and the benchmark.
import { roadKmBetween, roadKmFromDepot } from "./geo.ts";
import { maxKmForDrivers, resolvePolicy } from "./policy.ts";
import { drivesInCurfew, minuteFrom } from "./schedule.ts";
import type { AllocationInput, AllocationResult, EngineCapacity, EngineTraveler } from "./types.ts";

export interface AllocationViolation {
  kind:
    | "traveler-count"
    | "unknown-capacity"
    | "unknown-seat"
    | "double-seat"
    | "window"
    | "group-split"
    | "seats-used"
    | "stops"
    | "route-length"
    | "departure"
    | "curfew"
    | "schedule"
    | "drop-stop"
    | "onward"
    | "group-ticket-batch";
  detail: string;
}

export function checkAllocation(input: AllocationInput, result: AllocationResult): AllocationViolation[] {
  const policy = resolvePolicy(input.policy);
  const out: AllocationViolation[] = [];
  const add = (kind: AllocationViolation["kind"], detail: string) => out.push({ kind, detail });
  const capacities = new Map<string, EngineCapacity>();
  for (const c of input.capacities) if (!capacities.has(c.id)) capacities.set(c.id, c);
  const travelers = new Map<string, EngineTraveler>();
  const listed = new Map<string, number>();
  for (const t of input.travelers) {
    if (!travelers.has(t.id)) travelers.set(t.id, t);
    listed.set(t.id, (listed.get(t.id) ?? 0) + 1);
  }

  const seen = new Map<string, number>();
  for (const id of [...result.assignments.map((a) => a.travelerId), ...result.unassigned.map((u) => u.travelerId)]) {
    seen.set(id, (seen.get(id) ?? 0) + 1);
  }
  for (const [id, count] of listed) {
    if (seen.get(id) !== count) add("traveler-count", `${id} listed ${count}× but reported ${seen.get(id) ?? 0}×`);
  }
  for (const id of seen.keys()) if (!listed.has(id)) add("traveler-count", `${id} is not an input traveller`);
  for (const u of result.unassigned) if (!u.detail) add("traveler-count", `${u.travelerId} unassigned without a detail`);

  const vehicles = new Map(result.vehicles.map((v) => [v.capacityId, v]));
  const seats = new Set<string>();
  const used = new Map<string, number>();
  const capacityOfTraveler = new Map<string, string>();
  for (const a of result.assignments) {
    const capacity = capacities.get(a.capacityId);
    const vehicle = vehicles.get(a.capacityId);
    if (!capacity || !vehicle) {
      add("unknown-capacity", `${a.travelerId} on unknown capacity ${a.capacityId}`);
      continue;
    }
    capacityOfTraveler.set(a.travelerId, a.capacityId);
    used.set(a.capacityId, (used.get(a.capacityId) ?? 0) + 1);
    if (!seatExists(capacity, a.car, a.seat)) add("unknown-seat", `${a.capacityId} has no seat ${a.car}/${a.seat}`);
    const seatKey = `${a.capacityId}|${a.car}|${a.seat}`;
    if (seats.has(seatKey)) add("double-seat", `${seatKey} assigned twice`);
    seats.add(seatKey);
    const t = travelers.get(a.travelerId);
    if (t && !(t.earliestDate <= capacity.departureDate && capacity.departureDate <= t.latestDate)) {
      add("window", `${a.travelerId} travels ${capacity.departureDate}, outside ${t.earliestDate}..${t.latestDate}`);
    }
    const stop = vehicle.route[a.dropStop];
    if (a.dropStop < 1 || !stop || stop.regionCode !== a.dropRegionCode) {
      add("drop-stop", `${a.travelerId} drop stop ${a.dropStop} does not match ${a.dropRegionCode}`);
    } else if (t) {
      if (capacity.mode === "BUS" && stop.regionCode !== t.destination.regionCode) {
        add("drop-stop", `${a.travelerId} leaves the bus at ${stop.regionCode}, not at ${t.destination.regionCode}`);
      }
      const onward = stop.regionCode === t.destination.regionCode ? 0 : roadKmBetween(stop, t.destination, policy);
      if (onward > policy.maxOnwardKm + 0.5) add("onward", `${a.travelerId} is ${onward.toFixed(1)} km from ${stop.name}`);
    }
  }

  const groups = new Map<string, string[]>();
  for (const t of travelers.values()) {
    const tag = t.groupTag?.trim();
    if (!tag) continue;
    const key = `${t.orgId}\u0000${tag}`;
    groups.set(key, [...(groups.get(key) ?? []), t.id]);
  }
  for (const [key, ids] of groups) {
    const on = new Set(ids.map((id) => capacityOfTraveler.get(id) ?? "-"));
    if (on.size > 1) add("group-split", `group ${key.replace("\u0000", "/")} is split over ${[...on].join(", ")}`);
  }

  for (const vehicle of result.vehicles) {
    const capacity = capacities.get(vehicle.capacityId);
    if (!capacity) {
      add("unknown-capacity", `vehicle for unknown capacity ${vehicle.capacityId}`);
      continue;
    }
    const count = used.get(vehicle.capacityId) ?? 0;
    if (vehicle.seatsUsed !== count || count > vehicle.seatsTotal) {
      add("seats-used", `${capacity.label}: ${count} travellers, seatsUsed ${vehicle.seatsUsed} of ${vehicle.seatsTotal}`);
    }
    if (capacity.mode === "GROUP_TICKET" && count > 0 && count < policy.minGroupTicketBatch) {
      add("group-ticket-batch", `${capacity.label}: batch of ${count} < ${policy.minGroupTicketBatch}`);
    }
    if (capacity.mode !== "BUS") continue;
    const stops = vehicle.route.length - 1;
    if (stops > capacity.maxStops) add("stops", `${capacity.label}: ${stops} stops > ${capacity.maxStops}`);
    const depot = capacity.depot ?? input.origin;
    let km = 0;
    for (let i = 1; i < vehicle.route.length; i++) {
      km += i === 1 ? roadKmFromDepot(input.origin, depot, vehicle.route[1]!, policy) : roadKmBetween(vehicle.route[i - 1]!, vehicle.route[i]!, policy);
    }
    const limit = maxKmForDrivers(policy, capacity.drivers);
    if (km > limit + 0.5) add("route-length", `${capacity.label}: ${km.toFixed(1)} km > ${limit} km for ${capacity.drivers} driver(s)`);
    const date = capacity.departureDate;
    const departure = minuteFrom(date, vehicle.departureAt);
    if (!(departure >= capacity.departureMinute && departure < 1440) || minuteFrom(date, vehicle.route[0]!.at) !== departure) {
      add("departure", `${capacity.label} leaves at ${vehicle.departureAt}, before ${capacity.departureMinute} min or not on ${date}`);
    }
    for (let i = 1; i < vehicle.route.length; i++) {
      const legStart = i === 1 ? departure : minuteFrom(date, vehicle.route[i - 1]!.at) + policy.stopMinutes;
      const arrival = minuteFrom(date, vehicle.route[i]!.at);
      const legKm = i === 1 ? roadKmFromDepot(input.origin, depot, vehicle.route[1]!, policy) : roadKmBetween(vehicle.route[i - 1]!, vehicle.route[i]!, policy);
      if (arrival - legStart < (legKm / policy.busSpeedKmh) * 60 - 1) {
        add("schedule", `${capacity.label}: leg ${i} of ${legKm.toFixed(0)} km in ${arrival - legStart} min`);
      }
      if (drivesInCurfew(legStart, arrival, policy)) {
        add("curfew", `${capacity.label}: drives between ${vehicle.route[i - 1]!.name} and ${vehicle.route[i]!.name} in the curfew`);
      }
    }
  }
  return out;
}

function seatExists(capacity: EngineCapacity, car: string, seat: string): boolean {
  if (!/^[1-9]\d*$/.test(seat)) return false;
  const n = Number(seat);
  switch (capacity.mode) {
    case "BUS":
    case "BOAT":
    case "FLIGHT":
      return car === "" && n <= capacity.seats;
    case "GROUP_TICKET":
      return car === "" && n <= capacity.count;
    default: {
      const c = capacity.cars.find((x) => x.car === car);
      return c !== undefined && n <= c.seats;
    }
  }
}
