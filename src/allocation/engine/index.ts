// The allocation engine: travellers and capacity in, vehicles, routes, seats, a quality report and
// a diff against the previous run out. Pure: no I/O, deterministic for a given input and seed
// (the bus routing search is time-bounded, so a slower machine may find other routes).
import { BusPlanner, pointKey } from "./buses.ts";
import { roadKmBetween } from "./geo.ts";
import { buildParties, familyOfMode } from "./parties.ts";
import { resolvePolicy } from "./policy.ts";
import { capacitySeats, diffAgainst, qualityReport } from "./report.ts";
import { isoAt } from "./schedule.ts";
import { type StationCapacityInput, StationPlanner } from "./stations.ts";
import type { Party, Placement, RunContext } from "./state.ts";
import type {
  AllocationInput,
  AllocationResult,
  BusCapacity,
  EngineAssignment,
  EngineCapacity,
  EngineVehicle,
  Mode,
  RouteStop,
  Unassigned,
} from "./types.ts";

export * from "./types.ts";
export { defaultPolicy, maxKmForDrivers, resolvePolicy } from "./policy.ts";
export { drivesInCurfew, isoAt, minuteFrom, scheduleRoute } from "./schedule.ts";
export { checkAllocation, type AllocationViolation } from "./check.ts";

/**
 * Runs the engine to the end in one go. Blocks the caller's thread for the whole computation; a
 * service on an event loop should use `allocateAsync`.
 */
export function allocate(input: AllocationInput): AllocationResult {
  const steps = allocationSteps(input);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * The same computation as `allocate`, with the same result for the same input and seed, but it
 * hands the event loop back between steps (after the preparation, each station pass and each bus
 * departure day and depot), so that progress can be written and locks renewed while it runs.
 * `onProgress` is called at each step with increasing percentages, ending at 100. Each step is
 * still synchronous: one day's bus routing blocks for up to its time budget.
 */
export async function allocateAsync(input: AllocationInput): Promise<AllocationResult> {
  const steps = allocationSteps(input);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await new Promise<void>((resolve) => setTimeout(resolve, 0));
  }
}

/**
 * The engine as a sequence of steps: it yields at phase and bus-day boundaries and returns the
 * result. `allocate` and `allocateAsync` only differ in how they drive it. The report's
 * `elapsedMs` counts the time spent in the steps, not the pauses between them.
 */
function* allocationSteps(input: AllocationInput): Generator<void, AllocationResult, void> {
  const started = performance.now();
  let pausedMs = 0;
  function* pause(): Generator<void, void, void> {
    const at = performance.now();
    yield;
    pausedMs += performance.now() - at;
  }
  const policy = resolvePolicy(input.policy);
  let lastProgress = -1;
  const progress = (percent: number) => {
    const value = Math.max(0, Math.min(100, Math.floor(percent)));
    if (value > lastProgress) {
      lastProgress = value;
      input.onProgress?.(value);
    }
  };
  progress(0);
  const ctx: RunContext = { origin: input.origin, policy, progress, placements: new Map() };

  // A traveller listed twice keeps the first entry; the others are reported, not silently dropped.
  const seen = new Set<string>();
  const travelers = [];
  const unassigned: Unassigned[] = [];
  for (const t of input.travelers) {
    if (seen.has(t.id)) {
      unassigned.push({ travelerId: t.id, reason: "CONFLICT", detail: "traveller listed more than once" });
      continue;
    }
    seen.add(t.id);
    travelers.push(t);
  }
  const capacities = dedupeCapacities(input.capacities);
  const buses = new BusPlanner(ctx, capacities.filter((c): c is BusCapacity => c.mode === "BUS"));
  const stations = new StationPlanner(ctx, capacities.filter((c): c is StationCapacityInput => c.mode !== "BUS"));
  const parties = buildParties(travelers, input.origin, policy, capacities.some((c) => c.mode === "FLIGHT"));
  const partyOf = new Map<string, Party>();
  for (const party of parties) for (const m of party.members) partyOf.set(m.id, party);

  const largestVehicle = Math.max(0, ...capacities.map(capacitySeats));
  for (const party of parties) {
    if (party.earliest > party.latest) {
      fail(party, "NO_CAPACITY_IN_WINDOW", party.size > 1 ? "the group's date windows do not overlap" : "earliest date is after latest date");
    } else if (largestVehicle > 0 && party.size > largestVehicle) {
      // Only when some vehicle has seats at all: with none, every family reports its own lack of
      // capacity (none registered, or none in the window).
      fail(party, "GROUP_TOO_LARGE", `group of ${party.size} travellers is larger than any vehicle (${largestVehicle} seats)`);
    }
  }
  const keptFromPrevious = keepLocked(input, parties, partyOf, buses, stations);
  progress(10);
  yield* pause();

  stations.plan(parties);
  progress(30);
  yield* pause();
  // The bus planner reports 30..90 over its departure days and pauses after each day and depot.
  for (const _ of buses.planSteps(parties)) yield* pause();
  stations.plan(parties);
  progress(91);
  yield* pause();
  const released = stations.releaseShortBatches(partyOf);
  if (released.length > 0) {
    stations.plan(parties);
    for (const _ of buses.planSteps(parties)) yield* pause();
    stations.plan(parties);
  }
  progress(92);
  yield* pause();

  const { vehicles, assignments } = buildVehicles(ctx, capacities, buses, stations);
  progress(96);
  yield* pause();
  const modeOf = new Map(capacities.map((c) => [c.id, c.mode]));
  const assignedMode = new Map(assignments.map((a) => [a.travelerId, modeOf.get(a.capacityId)!]));
  const modeFallbacks: Record<string, number> = {};
  const preferences = { honoured: 0, notHonoured: 0 };
  for (const party of parties) {
    if (!party.assigned) {
      const first = mostTelling(party) ?? { reason: "NO_CAPACITY_FOR_MODE" as const, detail: "no capacity could be tried" };
      const detail = party.failures.map((f) => `${f.family}: ${f.failure.detail}`).join("; ") || first.detail;
      for (const m of party.members) unassigned.push({ travelerId: m.id, reason: first.reason, detail });
      continue;
    }
    const got = assignedMode.get(party.members[0]!.id);
    if (!got) continue;
    if (party.families[0] !== familyOfMode(got) && party.failures.length > 0) {
      const key = `${party.families[0]}→${got}`;
      modeFallbacks[key] = (modeFallbacks[key] ?? 0) + party.size;
    }
    for (const m of party.members) {
      if (!m.preference) continue;
      if (m.preference === got) preferences.honoured++;
      else preferences.notHonoured++;
    }
  }
  const report = qualityReport({
    origin: input.origin,
    policy,
    travelers: input.travelers.length,
    travelerList: travelers,
    capacities,
    vehicles,
    assignments,
    unassigned,
    keptFromPrevious,
    roadKm: vehicles.reduce((sum, v) => sum + (v.mode === "BUS" ? buses.routeOf(v.capacityId)!.km : 0), 0),
    modeFallbacks,
    preferences,
    elapsedMs: Math.round(performance.now() - started - pausedMs),
  });
  const diff = diffAgainst(input.previous, assignments);
  progress(100);
  return { vehicles, assignments, unassigned, report, diff };
}

/**
 * The reason that tells the city union most about what to do: capacity that exists but is full or
 * on other dates (or a group-ticket batch that could not be formed), in the order the families were
 * tried; otherwise why the first-choice family failed (too far from a station, no such mode …).
 */
function mostTelling(party: Party): { reason: Unassigned["reason"]; detail: string } | undefined {
  const actionable = party.failures.find(
    (f) => f.failure.reason === "NO_CAPACITY_IN_WINDOW" || f.failure.reason === "BELOW_GROUP_TICKET_MINIMUM",
  );
  return (actionable ?? party.failures[0])?.failure;
}

function fail(party: Party, reason: Unassigned["reason"], detail: string): void {
  party.failures.push({ family: party.families[0]!, failure: { reason, detail } });
  party.tried = party.families.length;
}

/** A capacity id listed twice counts once (the first entry). */
function dedupeCapacities(capacities: EngineCapacity[]): EngineCapacity[] {
  const byId = new Map<string, EngineCapacity>();
  for (const c of capacities) if (!byId.has(c.id)) byId.set(c.id, c);
  return [...byId.values()];
}


/**
 * Locked previous seats are kept exactly when the capacity still exists, the date is still in the
 * traveller's window and the seat is free; a group follows its locked members onto their vehicle.
 */
function keepLocked(input: AllocationInput, parties: Party[], partyOf: Map<string, Party>, buses: BusPlanner, stations: StationPlanner): number {
  const locked = new Map<string, { capacityId: string; car: string; seat: string }>();
  for (const p of input.previous ?? []) if (p.locked && partyOf.has(p.travelerId)) locked.set(p.travelerId, p);
  if (locked.size === 0) return 0;
  const busParties = new Map<string, { parties: Party[]; kept: Map<string, { car: string; seat: string }> }>();
  let kept = 0;
  for (const party of parties) {
    if (party.tried >= party.families.length) continue;
    const votes = new Map<string, number>();
    for (const m of party.members) {
      const l = locked.get(m.id);
      if (l) votes.set(l.capacityId, (votes.get(l.capacityId) ?? 0) + 1);
    }
    if (votes.size === 0) continue;
    const capacityId = [...votes.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]![0];
    const seats = new Map<string, { car: string; seat: string }>();
    for (const m of party.members) {
      const l = locked.get(m.id);
      if (l && l.capacityId === capacityId) seats.set(m.id, { car: l.car, seat: l.seat });
    }
    if (buses.has(capacityId)) {
      const entry = busParties.get(capacityId) ?? { parties: [] as Party[], kept: new Map<string, { car: string; seat: string }>() };
      entry.parties.push(party);
      for (const [id, seat] of seats) entry.kept.set(id, seat);
      busParties.set(capacityId, entry);
    } else if (stations.keepParty(party, capacityId, seats)) {
      kept += seats.size;
    }
  }
  for (const [capacityId, { parties: onBus, kept: seats }] of busParties) {
    for (const party of buses.keepBus(capacityId, onBus, seats)) kept += party.members.filter((m) => seats.has(m.id)).length;
  }
  return kept;
}

function buildVehicles(
  ctx: RunContext,
  capacities: EngineCapacity[],
  buses: BusPlanner,
  stations: StationPlanner,
): { vehicles: EngineVehicle[]; assignments: EngineAssignment[] } {
  const vehicles: EngineVehicle[] = [];
  const assignments: EngineAssignment[] = [];
  const ordered = [...capacities].sort(
    (a, b) => MODE_ORDER.indexOf(a.mode) - MODE_ORDER.indexOf(b.mode) || a.departureDate.localeCompare(b.departureDate) || a.label.localeCompare(b.label) || a.id.localeCompare(b.id),
  );
  for (const capacity of ordered) {
    const placements = ctx.placements.get(capacity.id);
    if (!placements || placements.length === 0) continue;
    const date = capacity.departureDate;
    let route: RouteStop[];
    let seatsTotal: number;
    let departureMinute = capacity.departureMinute;
    if (capacity.mode === "BUS") {
      const busRoute = buses.routeOf(capacity.id)!;
      const depot = capacity.depot ?? ctx.origin;
      departureMinute = busRoute.schedule.departureMinute;
      route = [{ ...depot, at: isoAt(date, departureMinute), km: 0 }];
      let km = 0;
      busRoute.stops.forEach((stop, i) => {
        km += busRoute.legKm[i]!;
        route.push({ ...pointOnly(stop), at: isoAt(date, busRoute.schedule.arrivals[i]!), km: round1(km) });
      });
      seatsTotal = capacity.seats;
    } else {
      const station = stations.byId.get(capacity.id)!;
      route = [{ ...pointOnly(station.boarding), at: isoAt(date, departureMinute), km: 0 }];
      for (const stop of station.stops) {
        route.push({
          ...pointOnly(stop),
          at: isoAt(date, departureMinute + stop.arrivalOffsetMinutes),
          km: round1(roadKmBetween(station.boarding, stop, ctx.policy)),
        });
      }
      seatsTotal = station.book.totalSeats;
    }
    const stopIndex = new Map<string, number>();
    route.forEach((stop, i) => {
      if (i > 0 && !stopIndex.has(pointKey(stop))) stopIndex.set(pointKey(stop), i);
    });
    vehicles.push({
      capacityId: capacity.id,
      mode: capacity.mode,
      label: capacity.label,
      departureAt: isoAt(date, departureMinute),
      route,
      seatsTotal,
      seatsUsed: placements.length,
      km: route[route.length - 1]!.km,
    });
    const sorted = [...placements].sort(bySeat);
    for (const p of sorted) {
      assignments.push({
        travelerId: p.traveler.id,
        capacityId: capacity.id,
        car: p.seat.car,
        seat: p.seat.seat,
        dropStop: stopIndex.get(pointKey(p.drop))!,
        dropRegionCode: p.drop.regionCode,
        onwardKm: round1(p.onwardKm),
      });
    }
  }
  return { vehicles, assignments };
}

const MODE_ORDER: Mode[] = ["BUS", "SPECIAL_TRAIN", "RESERVED_CARRIAGE", "GROUP_TICKET", "BOAT", "FLIGHT"];

function bySeat(a: Placement, b: Placement): number {
  if (a.seat.car !== b.seat.car) {
    const x = Number(a.seat.car);
    const y = Number(b.seat.car);
    if (Number.isFinite(x) && Number.isFinite(y) && x !== y) return x - y;
    return a.seat.car < b.seat.car ? -1 : 1;
  }
  return Number(a.seat.seat) - Number(b.seat.seat);
}

function pointOnly(p: { name: string; regionCode: string; lat: number; lng: number; placeId?: string }) {
  return { name: p.name, regionCode: p.regionCode, lat: p.lat, lng: p.lng, ...(p.placeId ? { placeId: p.placeId } : {}) };
}

function round1(v: number): number {
  return Math.round(v * 10) / 10;
}
