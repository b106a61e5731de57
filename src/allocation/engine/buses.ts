// Chartered buses: per departure day and depot, a capacitated vehicle-routing problem over the
// destinations (open routes: coaches do not come back), with full busloads sent direct, stop
// limits, route length by drivers and the night curfew, then a bus matched to every route.
import { solveCvrp } from "../cvrp/index.ts";
import { roadKmBetween, roadKmFromDepot } from "./geo.ts";
import { maxKmForDrivers } from "./policy.ts";
import { longestCurfewFreeMinutes, type RouteSchedule, scheduleRoute } from "./schedule.ts";
import { SeatBook } from "./seats.ts";
import { type Party, type Placement, type RunContext, windowContains } from "./state.ts";
import type { BusCapacity, EngineTraveler, GeoPoint } from "./types.ts";

export interface Bus {
  capacity: BusCapacity;
  depot: GeoPoint;
  depotKey: string;
  maxKm: number;
  /** Longest route the CVRP may give it, driving km plus stop time converted to km. */
  lengthLimit: number;
  book: SeatBook;
  route: BusRoute | null;
}

export interface BusRoute {
  stops: GeoPoint[];
  legKm: number[];
  km: number;
  schedule: RouteSchedule;
}

/** A set of parties to one destination that rides one bus: a CVRP customer or a direct busload. */
interface Bin {
  node: GeoPoint;
  parties: Party[];
  load: number;
}

interface Candidate {
  bins: Bin[];
  stops: GeoPoint[];
  legKm: number[];
  km: number;
  load: number;
  urgency: string;
}

export class BusPlanner {
  readonly buses: Bus[];
  private readonly byId = new Map<string, Bus>();
  private readonly stopKm: number;

  constructor(
    private readonly ctx: RunContext,
    inputs: BusCapacity[],
  ) {
    const policy = ctx.policy;
    this.stopKm = (policy.stopMinutes * policy.busSpeedKmh) / 60;
    this.buses = inputs.map((capacity) => {
      const depot = capacity.depot ?? ctx.origin;
      const maxKm = maxKmForDrivers(policy, capacity.drivers);
      const curfewKm = (longestCurfewFreeMinutes(capacity.departureMinute, policy) * policy.busSpeedKmh) / 60;
      return {
        capacity,
        depot,
        depotKey: `${depot.regionCode}@${depot.lat},${depot.lng}`,
        maxKm,
        lengthLimit: Math.min(maxKm, curfewKm),
        book: new SeatBook([{ car: "", seats: capacity.seats, ...(capacity.seatsPerRow ? { seatsPerRow: capacity.seatsPerRow } : {}) }]),
        route: null,
      };
    });
    for (const bus of this.buses) this.byId.set(bus.capacity.id, bus);
  }

  has(capacityId: string): boolean {
    return this.byId.has(capacityId);
  }

  /**
   * Keeps the parties that hold seats on one bus as far as the route through their destinations
   * stays possible and their seats still exist; returns the parties kept.
   */
  keepBus(capacityId: string, candidates: Party[], kept: Map<string, { car: string; seat: string }>): Party[] {
    const bus = this.byId.get(capacityId);
    if (!bus || bus.route) return [];
    // Parties join one by one (largest first) while the route through their destinations stays
    // possible and their kept seats are free; the others will be placed afresh.
    const parties: Party[] = [];
    let route: BusRoute | null = null;
    let seated = 0;
    const ordered = candidates.filter((p) => windowContains(p, bus.capacity.departureDate)).sort((a, b) => b.size - a.size);
    for (const party of ordered) {
      if (seated + party.size > bus.capacity.seats) continue;
      const members = [...parties, party].flatMap((p) => p.members);
      const stops = shortestOrder(bus.depot, distinctPoints(members.map((m) => m.destination)), (a, b) => this.km(bus, a, b));
      const tried = this.routeFor(bus, stops);
      if (!tried) continue;
      const taken: { car: string; seat: string }[] = [];
      let free = true;
      for (const member of party.members) {
        const seat = kept.get(member.id);
        if (!seat) continue;
        if (!bus.book.takeExact(seat.car, seat.seat)) {
          free = false;
          break;
        }
        taken.push(seat);
      }
      if (!free) {
        taken.forEach((t) => bus.book.release(t.car, t.seat));
        continue;
      }
      parties.push(party);
      route = tried;
      seated += party.size;
    }
    if (!route) return [];
    bus.route = route;
    const placements = this.placementsOf(bus);
    for (const party of parties) {
      const others = party.members.filter((m) => !kept.has(m.id));
      const seats = bus.book.allocate(others.length)!;
      for (const member of party.members) {
        const seat = kept.get(member.id) ?? seats[others.indexOf(member)]!;
        placements.push(placementAt(member, seat, kept.has(member.id)));
      }
      party.assigned = true;
    }
    return parties;
  }

  /** Tries a bus for each party whose next family is BUS; the others are left untouched. */
  plan(parties: Party[]): void {
    const steps = this.planSteps(parties);
    while (!steps.next().done);
  }

  /**
   * The same as `plan`, one departure day and depot at a time: it yields after each (having
   * reported progress), so that an asynchronous caller can let other work run in between.
   */
  *planSteps(parties: Party[]): Generator<void, void, void> {
    const pool = parties.filter((p) => !p.assigned && p.families[p.tried] === "BUS");
    if (pool.length === 0) return;
    const dates = [...new Set(this.buses.map((b) => b.capacity.departureDate))].sort();
    for (const [dayIndex, date] of dates.entries()) {
      const onDate = this.buses.filter((b) => b.capacity.departureDate === date);
      const depotKeys = [...new Set(onDate.map((b) => b.depotKey))];
      for (const [depotIndex, depotKey] of depotKeys.entries()) {
        const buses = onDate.filter((b) => b.depotKey === depotKey);
        // Buses that already run (kept from the previous run, or routed by an earlier pass) fill
        // their free seats before new buses are opened; the new routes then take whoever is left
        // into their own free seats.
        this.topUpRoutedBuses(buses.filter((b) => b.route !== null), pool, date);
        const fresh = buses.filter((b) => b.route === null);
        this.planDepotDay(fresh, pool, date);
        this.topUpRoutedBuses(fresh.filter((b) => b.route !== null), pool, date);
        this.ctx.progress(30 + (60 * (dayIndex + (depotIndex + 1) / depotKeys.length)) / dates.length);
        yield;
      }
    }
    for (const party of pool) {
      if (party.assigned) continue;
      party.failures.push({ family: "BUS", failure: this.failureOf(party) });
      party.tried++;
    }
  }

  routeOf(capacityId: string): BusRoute | null {
    return this.byId.get(capacityId)?.route ?? null;
  }

  private failureOf(party: Party): { reason: "NO_CAPACITY_FOR_MODE" | "NO_CAPACITY_IN_WINDOW" | "ROUTE_INFEASIBLE" | "GROUP_TOO_LARGE"; detail: string } {
    // A bus without a seat is no capacity; only a real group can be too large for the others.
    const buses = this.buses.filter((b) => b.capacity.seats >= 1);
    if (buses.length === 0) {
      return { reason: "NO_CAPACITY_FOR_MODE", detail: this.buses.length === 0 ? "no chartered bus registered" : "no chartered bus has a seat" };
    }
    if (party.size > 1 && buses.every((b) => b.capacity.seats < party.size)) {
      return { reason: "GROUP_TOO_LARGE", detail: `group of ${party.size} is larger than any bus` };
    }
    const inWindow = buses.filter((b) => windowContains(party, b.capacity.departureDate));
    if (inWindow.length === 0) return { reason: "NO_CAPACITY_IN_WINDOW", detail: `no bus departs between ${party.earliest} and ${party.latest}` };
    if (!inWindow.some((b) => this.reachable(b, party))) {
      return {
        reason: "ROUTE_INFEASIBLE",
        detail: "no bus in the window can reach the destination within its drivers' distance and outside 02:00–05:00",
      };
    }
    return { reason: "NO_CAPACITY_IN_WINDOW", detail: `all buses between ${party.earliest} and ${party.latest} are full` };
  }

  private reachable(bus: Bus, party: Party): boolean {
    return this.reachableWithin(bus, party, bus.lengthLimit);
  }

  /**
   * Fills the free seats of buses that already have a route: first travellers to the stops the
   * route makes (the most urgent first), then, while seats are left, the destinations whose
   * cheapest feasible insertion into the route costs the fewest km per seat filled. Existing stops
   * keep their order (the travellers on board stay on the route); the stop limit, the drivers' km
   * and the curfew are checked for every extended route.
   */
  private topUpRoutedBuses(buses: Bus[], pool: Party[], date: string): void {
    for (const bus of buses) {
      if (bus.book.freeSeats === 0) continue;
      let candidates = pool
        .filter((p) => !p.assigned && p.size <= bus.book.freeSeats && windowContains(p, date))
        .sort((a, b) => a.latest.localeCompare(b.latest) || b.size - a.size);
      // The parties a stop was just inserted for board first, so that no new stop is left without
      // anyone getting off there.
      let first = new Set<Party>();
      while (candidates.length > 0) {
        const stopKeys = new Set(bus.route!.stops.map(pointKey));
        const missingOf = (p: Party) => distinctPoints(p.members.map((m) => m.destination)).filter((d) => !stopKeys.has(pointKey(d)));
        for (const party of [...first, ...candidates.filter((p) => !first.has(p))]) {
          if (party.assigned || party.size > bus.book.freeSeats || missingOf(party).length > 0) continue;
          this.seatParty(bus, party);
        }
        candidates = candidates.filter((p) => !p.assigned && p.size <= bus.book.freeSeats);
        if (candidates.length === 0) break;
        const bySet = new Map<string, { points: GeoPoint[]; seats: number; parties: Party[] }>();
        for (const party of candidates) {
          const missing = missingOf(party);
          const key = missing.map(pointKey).sort().join("|");
          const entry = bySet.get(key) ?? { points: missing, seats: 0, parties: [] };
          entry.seats += party.size;
          entry.parties.push(party);
          bySet.set(key, entry);
        }
        let best: { route: BusRoute; score: number; key: string; parties: Party[] } | null = null;
        for (const [key, { points, seats, parties }] of bySet) {
          const route = this.withStops(bus, bus.route!, points);
          if (!route) continue;
          const score = (route.km - bus.route!.km) / Math.min(seats, bus.book.freeSeats);
          if (!best || score < best.score - 1e-9 || (Math.abs(score - best.score) <= 1e-9 && key < best.key)) best = { route, score, key, parties };
        }
        if (!best) break;
        bus.route = best.route;
        first = new Set(best.parties);
      }
    }
  }

  private seatParty(bus: Bus, party: Party): void {
    const seats = bus.book.allocate(party.size);
    if (!seats) throw new Error(`internal: bus ${bus.capacity.id} overbooked`);
    const placements = this.placementsOf(bus);
    party.members.forEach((member, i) => placements.push(placementAt(member, seats[i]!, false)));
    party.assigned = true;
  }

  /**
   * The route with the points inserted one by one, each where it adds the fewest km among the
   * positions that keep the route feasible; null when some point fits nowhere.
   */
  private withStops(bus: Bus, route: BusRoute, points: GeoPoint[]): BusRoute | null {
    let current: BusRoute = route;
    for (const point of points) {
      if (current.stops.length + 1 > bus.capacity.maxStops) return null;
      let best: BusRoute | null = null;
      for (let at = 0; at <= current.stops.length; at++) {
        const tried = this.routeFor(bus, [...current.stops.slice(0, at), point, ...current.stops.slice(at)]);
        if (tried && (!best || tried.km < best.km - 1e-9)) best = tried;
      }
      if (!best) return null;
      current = best;
    }
    return current;
  }

  private planDepotDay(buses: Bus[], pool: Party[], date: string): void {
    if (buses.length === 0) return;
    const longest = Math.max(...buses.map((b) => b.lengthLimit));
    const biggest = Math.max(...buses.map((b) => b.capacity.seats));
    const probe = buses.reduce((a, b) => (b.lengthLimit > a.lengthLimit ? b : a));
    const eligible = pool.filter(
      (p) => !p.assigned && p.size <= biggest && windowContains(p, date) && this.reachableWithin(probe, p, longest),
    );
    // Travellers who must leave soonest first; within a deadline, by destination so that a day's
    // cut-off splits as few destinations as possible.
    eligible.sort(
      (a, b) => a.latest.localeCompare(b.latest) || pointKey(a.members[0]!.destination).localeCompare(pointKey(b.members[0]!.destination)) || b.size - a.size,
    );
    const supply = buses.reduce((sum, b) => sum + b.capacity.seats, 0);
    let demand = eligible.reduce((sum, p) => sum + p.size, 0);
    let pending = eligible;
    if (demand > supply) {
      // The seats go to the soonest deadlines; a party that no longer fits leaves room for smaller ones.
      pending = [];
      demand = 0;
      for (const party of eligible) {
        if (demand + party.size > supply) continue;
        pending.push(party);
        demand += party.size;
      }
    }
    let remaining = [...buses];
    for (let round = 0; round < 4 && pending.length > 0 && remaining.length > 0; round++) {
      // Routes are cut for the biggest bus left; smaller buses take the routes they can hold (best
      // fit), and what no bus took is routed again for the buses still free.
      const capacity = Math.max(...remaining.map((b) => b.capacity.seats));
      const maxStops = Math.max(1, Math.min(...remaining.map((b) => Math.floor(b.capacity.maxStops))));
      const lengthLimit = round === 0 ? Math.max(...remaining.map((b) => b.lengthLimit)) : Math.min(...remaining.map((b) => b.lengthLimit));
      const budget = round === 0 ? this.ctx.policy.routingBudgetMs : this.ctx.policy.routingBudgetMs / 4;
      const candidates = this.routeCandidates(remaining[0]!, pending, capacity, maxStops, lengthLimit, Math.max(...remaining.map((b) => b.capacity.seats)), budget);
      if (candidates.length > remaining.length) {
        candidates.sort((a, b) => a.urgency.localeCompare(b.urgency) || b.load - a.load);
        candidates.length = remaining.length;
      }
      candidates.sort((a, b) => b.km - a.km || b.load - a.load);
      let matched = 0;
      for (const candidate of candidates) {
        const fit = this.bestBus(remaining, candidate);
        if (!fit) continue;
        remaining = remaining.filter((b) => b !== fit.bus);
        this.commit(fit.bus, candidate, fit.schedule);
        matched++;
      }
      pending = pending.filter((p) => !p.assigned);
      if (matched === 0 && round > 0) break;
    }
  }

  private reachableWithin(bus: Bus, party: Party, limit: number): boolean {
    return party.members.every((m) => this.km(bus, bus.depot, m.destination) + this.stopKm <= limit + 1e-9);
  }

  /** Direct busloads and CVRP routes over the rest, for the parties pending on one depot and day. */
  private routeCandidates(
    sample: Bus,
    parties: Party[],
    capacity: number,
    maxStops: number,
    lengthLimit: number,
    biggest: number,
    budgetMs: number,
  ): Candidate[] {
    const byNode = new Map<string, { node: GeoPoint; parties: Party[] }>();
    for (const party of parties) {
      // A group with several destinations rides to its farthest one's route; its members' stops
      // are all on the bus because every member's destination becomes part of the bin's node set.
      const node = farthest(party.members, (m) => this.km(sample, sample.depot, m.destination)).destination;
      const key = pointKey(node);
      const entry = byNode.get(key) ?? { node, parties: [] };
      entry.parties.push(party);
      byNode.set(key, entry);
    }
    const direct: Bin[] = [];
    const customers: Bin[] = [];
    for (const { node, parties: here } of byNode.values()) {
      for (const bin of packBins(node, here, capacity, biggest)) {
        const extraStops = distinctPoints(bin.parties.flatMap((p) => p.members.map((m) => m.destination))).length;
        const solo = this.km(sample, sample.depot, node) + this.stopKm * extraStops;
        if (solo > lengthLimit + 1e-9 || extraStops > maxStops) continue;
        (bin.load >= capacity ? direct : customers).push(bin);
      }
    }
    const out: Candidate[] = direct.map((bin) => this.candidate(sample, [bin]));
    if (customers.length === 0) return out;
    // Groups whose members go to several destinations make several stops; the CVRP sees the bin
    // at its farthest destination, so such bins are routed alone.
    const multi = customers.filter((b) => distinctPoints(b.parties.flatMap((p) => p.members.map((m) => m.destination))).length > 1);
    const single = customers.filter((b) => !multi.includes(b));
    for (const bin of multi) out.push(this.candidate(sample, [bin]));
    if (single.length === 0) return out;
    const n = single.length + 1;
    const points = [sample.depot, ...single.map((b) => b.node)];
    const dist = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        if (i !== j) dist[i * n + j] = i === 0 ? this.km(sample, sample.depot, points[j]!) : j === 0 ? 0 : roadKmBetween(points[i]!, points[j]!, this.ctx.policy);
      }
    }
    const demand = [0, ...single.map((b) => b.load)];
    const service = [0, ...single.map(() => this.stopKm)];
    let routes: number[][];
    if (single.length === 1) {
      routes = [[1]];
    } else {
      try {
        routes = solveCvrp(
          { n, capacity, demand, dist, maxStopsPerRoute: maxStops, maxRouteLength: lengthLimit, serviceTime: service, openRoutes: true },
          {
            timeLimitMs: budgetMs,
            seed: this.ctx.policy.seed,
            maxIterationsWithoutImprovement: Math.min(20000, 500 + 40 * single.length),
          },
        ).routes;
      } catch {
        routes = single.map((_, i) => [i + 1]);
      }
    }
    for (const route of routes) out.push(this.candidate(sample, route.map((i) => single[i - 1]!)));
    return out;
  }

  private candidate(sample: Bus, bins: Bin[]): Candidate {
    const visits = bins.flatMap((b) => [b.node, ...b.parties.flatMap((p) => p.members.map((m) => m.destination))]);
    const ordered = bins.length === 1 ? shortestOrder(sample.depot, distinctPoints(visits), (a, b) => this.km(sample, a, b)) : distinctPoints(visits);
    const legKm = legs(sample.depot, ordered, (a, b) => this.km(sample, a, b));
    let urgency = "9999-12-31";
    for (const bin of bins) for (const p of bin.parties) if (p.latest < urgency) urgency = p.latest;
    return { bins, stops: ordered, legKm, km: legKm.reduce((s, v) => s + v, 0), load: bins.reduce((s, b) => s + b.load, 0), urgency };
  }

  private bestBus(buses: Bus[], candidate: Candidate): { bus: Bus; schedule: RouteSchedule } | null {
    let best: { bus: Bus; schedule: RouteSchedule } | null = null;
    for (const bus of buses) {
      if (bus.capacity.seats < candidate.load || bus.capacity.maxStops < candidate.stops.length || bus.maxKm < candidate.km - 1e-9) continue;
      if (best && !(bus.capacity.seats < best.bus.capacity.seats || (bus.capacity.seats === best.bus.capacity.seats && bus.capacity.drivers < best.bus.capacity.drivers))) continue;
      const schedule = scheduleRoute(bus.capacity.departureMinute, candidate.legKm, this.ctx.policy);
      if (schedule) best = { bus, schedule };
    }
    return best;
  }

  private commit(bus: Bus, candidate: Candidate, schedule: RouteSchedule): void {
    bus.route = { stops: candidate.stops, legKm: candidate.legKm, km: candidate.km, schedule };
    const stopIndex = new Map(candidate.stops.map((s, i) => [pointKey(s), i]));
    const parties = candidate.bins.flatMap((b) => b.parties);
    const firstStop = (p: Party) => Math.min(...p.members.map((m) => stopIndex.get(pointKey(m.destination))!));
    parties.sort((a, b) => firstStop(a) - firstStop(b) || b.size - a.size);
    const placements = this.placementsOf(bus);
    for (const party of parties) {
      const seats = bus.book.allocate(party.size);
      if (!seats) throw new Error(`internal: bus ${bus.capacity.id} overbooked`);
      party.members.forEach((member, i) => placements.push(placementAt(member, seats[i]!, false)));
      party.assigned = true;
    }
  }

  private routeFor(bus: Bus, stops: GeoPoint[]): BusRoute | null {
    if (stops.length > bus.capacity.maxStops) return null;
    const legKm = legs(bus.depot, stops, (a, b) => this.km(bus, a, b));
    const km = legKm.reduce((s, v) => s + v, 0);
    if (km > bus.maxKm + 1e-9) return null;
    const schedule = scheduleRoute(bus.capacity.departureMinute, legKm, this.ctx.policy);
    return schedule ? { stops, legKm, km, schedule } : null;
  }

  private km(bus: Bus, from: GeoPoint, to: GeoPoint): number {
    return from === bus.depot ? roadKmFromDepot(this.ctx.origin, bus.depot, to, this.ctx.policy) : roadKmBetween(from, to, this.ctx.policy);
  }

  private placementsOf(bus: Bus): Placement[] {
    let list = this.ctx.placements.get(bus.capacity.id);
    if (!list) {
      list = [];
      this.ctx.placements.set(bus.capacity.id, list);
    }
    return list;
  }
}

function placementAt(traveler: EngineTraveler, seat: { car: string; seat: string }, kept: boolean): Placement {
  return { traveler, seat, drop: traveler.destination, onwardKm: 0, kept };
}

export function pointKey(p: GeoPoint): string {
  return `${p.regionCode}@${p.lat},${p.lng}`;
}

function distinctPoints(points: GeoPoint[]): GeoPoint[] {
  const seen = new Map<string, GeoPoint>();
  for (const p of points) if (!seen.has(pointKey(p))) seen.set(pointKey(p), p);
  return [...seen.values()];
}

function farthest<T>(items: T[], key: (item: T) => number): T {
  let best = items[0] as T;
  for (const item of items) if (key(item) > key(best)) best = item;
  return best;
}

function legs(depot: GeoPoint, stops: GeoPoint[], km: (a: GeoPoint, b: GeoPoint) => number): number[] {
  const out: number[] = [];
  let at = depot;
  for (const stop of stops) {
    out.push(km(at, stop));
    at = stop;
  }
  return out;
}

/** The shortest open path from the depot through the points: exhaustive up to 7 stops, else nearest neighbour. */
function shortestOrder(depot: GeoPoint, points: GeoPoint[], km: (a: GeoPoint, b: GeoPoint) => number): GeoPoint[] {
  if (points.length <= 1 || points.length > 7) return nearestNeighbourOrder(depot, points, km);
  let best: GeoPoint[] = points;
  let bestKm = Infinity;
  const path: GeoPoint[] = [];
  const used = new Array<boolean>(points.length).fill(false);
  const extend = (at: GeoPoint, soFar: number) => {
    if (soFar >= bestKm) return;
    if (path.length === points.length) {
      bestKm = soFar;
      best = [...path];
      return;
    }
    points.forEach((p, i) => {
      if (used[i]) return;
      used[i] = true;
      path.push(p);
      extend(p, soFar + km(at, p));
      path.pop();
      used[i] = false;
    });
  };
  extend(depot, 0);
  return best;
}

function nearestNeighbourOrder(depot: GeoPoint, points: GeoPoint[], km: (a: GeoPoint, b: GeoPoint) => number): GeoPoint[] {
  const left = [...points];
  const out: GeoPoint[] = [];
  let at = depot;
  while (left.length > 0) {
    let best = 0;
    for (let i = 1; i < left.length; i++) if (km(at, left[i]!) < km(at, left[best]!)) best = i;
    at = left.splice(best, 1)[0]!;
    out.push(at);
  }
  return out;
}

/**
 * Parties to one destination packed into busloads (first-fit decreasing, so singles top up the
 * loads): loads of `capacity` go direct; the rest are CVRP customers. A party larger than
 * `capacity` but not than the biggest bus gets a load of its own.
 */
function packBins(node: GeoPoint, parties: Party[], capacity: number, biggest: number): Bin[] {
  const sorted = [...parties].sort((a, b) => b.size - a.size);
  const bins: Bin[] = [];
  for (const party of sorted) {
    if (party.size > biggest) continue;
    if (party.size >= capacity) {
      bins.push({ node, parties: [party], load: party.size });
      continue;
    }
    let placed = false;
    for (const bin of bins) {
      if (bin.load + party.size <= capacity) {
        bin.parties.push(party);
        bin.load += party.size;
        placed = true;
        break;
      }
    }
    if (!placed) bins.push({ node, parties: [party], load: party.size });
  }
  return bins;
}
