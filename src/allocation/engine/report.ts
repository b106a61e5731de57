import { roadKmBetween, roadKmFromDepot } from "./geo.ts";
import type {
  AllocationDiff,
  AllocationPolicy,
  EngineAssignment,
  EngineCapacity,
  EngineTraveler,
  EngineVehicle,
  GeoPoint,
  Mode,
  PreviousAssignment,
  QualityReport,
  Unassigned,
  UnassignedReason,
} from "./types.ts";

export interface ReportInput {
  origin: GeoPoint;
  policy: AllocationPolicy;
  travelers: number;
  travelerList: EngineTraveler[];
  capacities: EngineCapacity[];
  vehicles: EngineVehicle[];
  assignments: EngineAssignment[];
  unassigned: Unassigned[];
  keptFromPrevious: number;
  /** Bus km before rounding to 0.1 km per vehicle. */
  roadKm: number;
  modeFallbacks: Record<string, number>;
  preferences: { honoured: number; notHonoured: number };
  elapsedMs: number;
}

export function qualityReport(input: ReportInput): QualityReport {
  const capacityById = new Map(input.capacities.map((c) => [c.id, c]));
  const unassignedByReason: Partial<Record<UnassignedReason, number>> = {};
  for (const u of input.unassigned) unassignedByReason[u.reason] = (unassignedByReason[u.reason] ?? 0) + 1;

  const vehiclesByMode: Partial<Record<Mode, number>> = {};
  const seatsByMode: Partial<Record<Mode, { used: number; offered: number }>> = {};
  for (const c of input.capacities) {
    const entry = (seatsByMode[c.mode] ??= { used: 0, offered: 0 });
    entry.offered += capacitySeats(c);
  }
  let seatsUsed = 0;
  let seatsOfUsed = 0;
  const roadKm = input.roadKm;
  for (const v of input.vehicles) {
    vehiclesByMode[v.mode] = (vehiclesByMode[v.mode] ?? 0) + 1;
    seatsByMode[v.mode]!.used += v.seatsUsed;
    seatsUsed += v.seatsUsed;
    seatsOfUsed += v.seatsTotal;
  }
  const vehicles = input.vehicles.length;
  const lowerBound = vehicleLowerBound(input, capacityById);
  // Rounded down to 0.1 km like the vehicles' km, so that it stays a bound.
  const kmBound = Math.floor(busKmLowerBound(input, capacityById) * 10) / 10;
  return {
    travelers: input.travelers,
    assigned: input.assignments.length,
    unassigned: input.unassigned.length,
    unassignedByReason,
    vehiclesByMode,
    seatsByMode,
    seatUtilisation: seatsOfUsed > 0 ? seatsUsed / seatsOfUsed : 0,
    roadKm: Math.round(roadKm * 10) / 10,
    vehicleLowerBound: lowerBound.total,
    vehicleLowerBoundByMode: lowerBound.byMode,
    vehicleGapPct: lowerBound.total > 0 ? ((vehicles - lowerBound.total) / lowerBound.total) * 100 : 0,
    ...(kmBound > 0 ? { kmLowerBound: Math.floor(kmBound * 10) / 10, kmGapPct: ((roadKm - kmBound) / kmBound) * 100 } : {}),
    keptFromPrevious: input.keptFromPrevious,
    modeFallbacks: input.modeFallbacks,
    preferencesHonoured: input.preferences.honoured,
    preferencesNotHonoured: input.preferences.notHonoured,
    elapsedMs: input.elapsedMs,
  };
}

/** Seats a capacity offers in one vehicle (a party must fit in one; a quota counts as one batch). */
export function capacitySeats(c: EngineCapacity): number {
  switch (c.mode) {
    case "BUS":
    case "BOAT":
    case "FLIGHT":
      return c.seats;
    case "GROUP_TICKET":
      return c.count;
    default:
      return c.cars.reduce((s, car) => s + car.seats, 0);
  }
}

/**
 * Fewest vehicles that could carry the travellers as assigned to modes, days and (for
 * single-destination capacity) destinations: per group, ceil(travellers / largest vehicle of
 * that kind); for buses per day and depot also ceil(distinct stops / most stops a bus makes),
 * since every destination needs at least one bus to stop there.
 */
function vehicleLowerBound(input: ReportInput, capacityById: Map<string, EngineCapacity>): { total: number; byMode: Partial<Record<Mode, number>> } {
  const byMode = stationVehicleLowerBound(input, capacityById);
  const buses = busVehicleLowerBound(input, capacityById);
  if (buses > 0) byMode.BUS = buses;
  let total = 0;
  for (const v of Object.values(byMode)) total += v;
  return { total, byMode };
}

/**
 * Station modes, per mode and day: capacities that could serve a common destination (a stop within
 * maxOnwardKm of it) are joined; the groups so formed have disjoint travellers and vehicles, and each
 * needs ceil(its travellers / its largest vehicle).
 */
function stationVehicleLowerBound(input: ReportInput, capacityById: Map<string, EngineCapacity>): Partial<Record<Mode, number>> {
  const byModeDay = new Map<string, { capacities: EngineCapacity[]; travelers: Map<string, number> }>();
  for (const c of input.capacities) {
    if (c.mode === "BUS") continue;
    const key = `${c.mode}|${c.departureDate}`;
    const entry = byModeDay.get(key) ?? { capacities: [] as EngineCapacity[], travelers: new Map<string, number>() };
    entry.capacities.push(c);
    byModeDay.set(key, entry);
  }
  const destinationOf = new Map<string, GeoPoint>();
  const places = new Map<string, GeoPoint>();
  for (const t of input.travelerList) {
    destinationOf.set(t.id, t.destination);
    places.set(placeKey(t.destination), t.destination);
  }
  for (const a of input.assignments) {
    const c = capacityById.get(a.capacityId)!;
    if (c.mode === "BUS") continue;
    const place = destinationOf.get(a.travelerId)!;
    const entry = byModeDay.get(`${c.mode}|${c.departureDate}`)!;
    const key = placeKey(place);
    entry.travelers.set(key, (entry.travelers.get(key) ?? 0) + 1);
  }
  const bound: Partial<Record<Mode, number>> = {};
  for (const { capacities, travelers } of byModeDay.values()) {
    if (travelers.size === 0) continue;
    const mode = capacities[0]!.mode;
    const parent = capacities.map((_, i) => i);
    const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
    const stopsOf = capacities.map(stationStops);
    const demandByRoot = new Map<number, number>();
    const served: [string, number[]][] = [];
    for (const key of travelers.keys()) {
      const place = places.get(key)!;
      const serving: number[] = [];
      stopsOf.forEach((stops, i) => {
        if (stops.some((s) => s.regionCode === place.regionCode || within(s, place, input.policy))) serving.push(i);
      });
      for (let k = 1; k < serving.length; k++) parent[find(serving[k]!)] = find(serving[0]!);
      served.push([key, serving]);
    }
    for (const [key, serving] of served) {
      if (serving.length === 0) continue;
      const root = find(serving[0]!);
      demandByRoot.set(root, (demandByRoot.get(root) ?? 0) + travelers.get(key)!);
    }
    for (const [root, demand] of demandByRoot) {
      let largest = 0;
      capacities.forEach((c, i) => {
        if (find(i) === root) largest = Math.max(largest, capacitySeats(c));
      });
      bound[mode] = (bound[mode] ?? 0) + Math.ceil(demand / largest);
    }
  }
  return bound;
}

/** Within the onward limit; a latitude difference alone already rules out most pairs cheaply. */
function within(stop: GeoPoint, place: GeoPoint, policy: AllocationPolicy): boolean {
  const limit = policy.maxOnwardKm + 1e-9;
  if (Math.abs(stop.lat - place.lat) * 111 * policy.detourFactor > limit + 1) return false;
  return roadKmBetween(stop, place, policy) <= limit;
}

function stationStops(c: EngineCapacity): GeoPoint[] {
  switch (c.mode) {
    case "BUS":
      return [];
    case "SPECIAL_TRAIN":
    case "RESERVED_CARRIAGE":
      return c.stops;
    default:
      return [c.to];
  }
}

/**
 * Buses, per day and depot, with Q the most seats and K the most stops of a bus that day: at least
 * ceil(travellers / Q) buses, and since destination j needs at least ceil(d_j / Q) visits and a bus
 * makes at most K, at least ceil(Σ_j ceil(d_j / Q) / K).
 */
function busVehicleLowerBound(input: ReportInput, capacityById: Map<string, EngineCapacity>): number {
  const vehicleById = new Map(input.vehicles.map((v) => [v.capacityId, v]));
  const groups = new Map<string, { date: string; depot: string; perStop: Map<string, number> }>();
  for (const a of input.assignments) {
    const capacity = capacityById.get(a.capacityId)!;
    if (capacity.mode !== "BUS") continue;
    const depot = placeKey(capacity.depot ?? input.origin);
    const key = `${capacity.departureDate}|${depot}`;
    let group = groups.get(key);
    if (!group) {
      group = { date: capacity.departureDate, depot, perStop: new Map() };
      groups.set(key, group);
    }
    const stop = vehicleById.get(a.capacityId)!.route[a.dropStop]!;
    group.perStop.set(placeKey(stop), (group.perStop.get(placeKey(stop)) ?? 0) + 1);
  }
  let bound = 0;
  for (const group of groups.values()) {
    let seats = 0;
    let stops = 0;
    for (const c of input.capacities) {
      if (c.mode !== "BUS" || c.departureDate !== group.date || placeKey(c.depot ?? input.origin) !== group.depot) continue;
      seats = Math.max(seats, c.seats);
      stops = Math.max(stops, c.maxStops);
    }
    let demand = 0;
    let visits = 0;
    for (const d of group.perStop.values()) {
      demand += d;
      visits += Math.ceil(d / seats);
    }
    bound += Math.max(Math.ceil(demand / seats), Math.ceil(visits / Math.max(1, stops)));
  }
  return bound;
}

/**
 * Bus km lower bound per day and depot: at least ceil(D(r)/seats) buses (and ceil(S(r)/stops)) must
 * drive past radius r, where D(r) and S(r) are the travellers and stops at road distance ≥ r; the
 * integral over r of that count bounds the total (open routes, triangle inequality assumed).
 */
function busKmLowerBound(input: ReportInput, capacityById: Map<string, EngineCapacity>): number {
  const groups = new Map<string, { depot: GeoPoint; date: string; perStop: Map<string, { radius: number; demand: number }> }>();
  const vehicleById = new Map(input.vehicles.map((v) => [v.capacityId, v]));
  for (const a of input.assignments) {
    const capacity = capacityById.get(a.capacityId)!;
    if (capacity.mode !== "BUS") continue;
    const depot = capacity.depot ?? input.origin;
    const key = `${capacity.departureDate}|${placeKey(depot)}`;
    let group = groups.get(key);
    if (!group) {
      group = { depot, date: capacity.departureDate, perStop: new Map() };
      groups.set(key, group);
    }
    const stop = vehicleById.get(a.capacityId)!.route[a.dropStop]!;
    const entry = group.perStop.get(placeKey(stop)) ?? { radius: roadKmFromDepot(input.origin, depot, stop, input.policy), demand: 0 };
    entry.demand++;
    group.perStop.set(placeKey(stop), entry);
  }
  let total = 0;
  for (const group of groups.values()) {
    let seats = 0;
    let stops = 0;
    for (const c of input.capacities) {
      if (c.mode === "BUS" && c.departureDate === group.date && placeKey(c.depot ?? input.origin) === placeKey(group.depot)) {
        seats = Math.max(seats, c.seats);
        stops = Math.max(stops, c.maxStops);
      }
    }
    const sorted = [...group.perStop.values()].sort((a, b) => b.radius - a.radius);
    let demand = 0;
    for (let i = 0; i < sorted.length; i++) {
      demand += sorted[i]!.demand;
      const buses = Math.max(Math.ceil(demand / seats), Math.ceil((i + 1) / Math.max(1, stops)));
      const next = sorted[i + 1]?.radius ?? 0;
      total += buses * (sorted[i]!.radius - next);
    }
  }
  return total;
}

function placeKey(p: GeoPoint): string {
  return `${p.regionCode}@${p.lat},${p.lng}`;
}

export function diffAgainst(previous: PreviousAssignment[] | undefined, assignments: EngineAssignment[]): AllocationDiff {
  const before = new Map((previous ?? []).map((p) => [p.travelerId, p]));
  const diff: AllocationDiff = { added: [], moved: [], removed: [], unchanged: 0 };
  const now = new Set<string>();
  for (const a of assignments) {
    now.add(a.travelerId);
    const p = before.get(a.travelerId);
    if (!p) diff.added.push(a.travelerId);
    else if (p.capacityId === a.capacityId && p.car === a.car && p.seat === a.seat) diff.unchanged++;
    else {
      diff.moved.push({
        travelerId: a.travelerId,
        from: { capacityId: p.capacityId, car: p.car, seat: p.seat },
        to: { capacityId: a.capacityId, car: a.car, seat: a.seat },
      });
    }
  }
  for (const id of before.keys()) if (!now.has(id)) diff.removed.push(id);
  return diff;
}
