// Station-based modes: special trains, reserved carriages, group-ticket quotas, boats and flights.
// A traveller rides to the served station nearest their destination, within maxOnwardKm.
import { roadKmBetween } from "./geo.ts";
import { SeatBook } from "./seats.ts";
import { type Failure, type Family, type Party, type Placement, type RunContext, windowContains } from "./state.ts";
import type { GeoPoint, GroupTicketCapacity, Mode, PointToPointCapacity, TrainCapacity, TrainStop } from "./types.ts";

export type StationCapacityInput = TrainCapacity | GroupTicketCapacity | PointToPointCapacity;

export interface StationCapacity {
  capacity: StationCapacityInput;
  mode: Mode;
  /** Where travellers board (the origin, or the quota's from-station). */
  boarding: GeoPoint;
  stops: TrainStop[];
  book: SeatBook;
  /** A group-ticket quota given up because kept seats could not be topped up to a batch. */
  closed: boolean;
}

const FAMILY_MODES: Record<Exclude<Family, "BUS">, Mode[]> = {
  STATION: ["SPECIAL_TRAIN", "RESERVED_CARRIAGE", "BOAT", "GROUP_TICKET"],
  AIR: ["FLIGHT"],
};

interface Drop {
  stop: number;
  km: number;
}

interface Candidate {
  capacity: number;
  modeRank: number;
  /** Farthest onward km of any member. */
  onwardKm: number;
}

export class StationPlanner {
  readonly capacities: StationCapacity[];
  readonly byId = new Map<string, StationCapacity>();
  private readonly indexById = new Map<string, number>();
  /** Nearest stop by destination object (travellers of one place usually share it) and capacity. */
  private readonly dropCache = new Map<GeoPoint, Map<number, Drop | null>>();
  private readonly dropCacheByPlace = new Map<string, Map<number, Drop | null>>();

  constructor(
    private readonly ctx: RunContext,
    inputs: StationCapacityInput[],
  ) {
    this.capacities = inputs.map((capacity) => stationCapacity(capacity, ctx.origin));
    this.capacities.forEach((c, i) => {
      this.byId.set(c.capacity.id, c);
      this.indexById.set(c.capacity.id, i);
    });
  }

  /** Keeps a party on the capacity some members already hold seats on; false (and nothing changed) when impossible. */
  keepParty(party: Party, capacityId: string, kept: Map<string, { car: string; seat: string }>): boolean {
    const index = this.indexById.get(capacityId) ?? -1;
    const station = this.capacities[index];
    if (!station || !windowContains(party, station.capacity.departureDate)) return false;
    const drops: Drop[] = [];
    for (const member of party.members) {
      const drop = this.dropFor(index, member.destination);
      if (!drop) return false;
      drops.push(drop);
    }
    const taken: { car: string; seat: string }[] = [];
    const rollback = () => taken.forEach((s) => station.book.release(s.car, s.seat));
    for (const member of party.members) {
      const seat = kept.get(member.id);
      if (seat) {
        if (!station.book.takeExact(seat.car, seat.seat)) return rollback(), false;
        taken.push(seat);
      }
    }
    const others = party.members.filter((m) => !kept.has(m.id));
    const seats = station.book.allocate(others.length);
    if (!seats) return rollback(), false;
    const placements = this.placementsOf(station);
    party.members.forEach((member, i) => {
      const seat = kept.get(member.id) ?? seats[others.indexOf(member)]!;
      placements.push(this.placement(station, member, seat, drops[i]!, kept.has(member.id)));
    });
    party.assigned = true;
    return true;
  }

  /**
   * Tries, for each party, its next families while they are station-based (air and rail/boat
   * compete together, the earlier family ranked first). The least flexible capacity goes first:
   * group-ticket quotas (one destination, and batches to fill) for the parties that can use one,
   * then trains, carriages, boats and flights, the parties with the fewest options choosing first,
   * then the quotas again for whoever is left.
   */
  plan(parties: Party[]): void {
    const active = parties.filter((p) => !p.assigned && isStationFamily(p.families[p.tried]));
    if (active.length === 0) return;
    const families = new Map<Party, Exclude<Family, "BUS">[]>();
    const candidates = new Map<Party, Candidate[]>();
    for (const party of active) {
      const own: Exclude<Family, "BUS">[] = [];
      for (let k = party.tried; k < party.families.length && isStationFamily(party.families[k]); k++) {
        own.push(party.families[k] as Exclude<Family, "BUS">);
      }
      families.set(party, own);
      candidates.set(
        party,
        own.flatMap((family, rank) => this.candidatesFor(party, family).map((c) => ({ ...c, modeRank: c.modeRank + 10 * rank }))),
      );
    }
    // A party whose first choice is seat capacity it can use (a flight for the air family, or the
    // seat mode it prefers) tries that before any quota.
    const ticketFirst = (p: Party) =>
      !candidates.get(p)!.some((c) => {
        const mode = this.capacities[c.capacity]!.mode;
        return c.modeRank < 10 && mode !== "GROUP_TICKET" && (mode === "FLIGHT" || mode === p.preference);
      });
    const minBatch = this.ctx.policy.minGroupTicketBatch;
    this.fillGroupTickets(active.filter(ticketFirst), candidates, minBatch);
    this.fillSeats(active.filter((p) => !p.assigned), candidates);
    this.fillGroupTickets(active.filter((p) => !p.assigned), candidates, minBatch);
    for (const party of active) {
      if (party.assigned) continue;
      for (const family of families.get(party)!) {
        party.failures.push({ family, failure: this.failureOf(party, family, this.candidatesFor(party, family)) });
        party.tried++;
      }
    }
  }

  /**
   * Group-ticket quotas that ended below the minimum batch (possible only through kept seats):
   * their travellers are taken off and returned, so the caller can try them elsewhere.
   */
  releaseShortBatches(partiesByTraveler: Map<string, Party>): Party[] {
    const released: Party[] = [];
    for (const station of this.capacities) {
      if (station.mode !== "GROUP_TICKET") continue;
      const placements = this.ctx.placements.get(station.capacity.id);
      if (!placements || placements.length === 0 || placements.length >= this.ctx.policy.minGroupTicketBatch) continue;
      for (const p of placements) {
        station.book.release(p.seat.car, p.seat.seat);
        const party = partiesByTraveler.get(p.traveler.id)!;
        if (party.assigned) {
          party.assigned = false;
          party.failures.push({
            family: "STATION",
            failure: {
              reason: "BELOW_GROUP_TICKET_MINIMUM",
              detail: `group ticket ${station.capacity.label} would carry ${placements.length} < ${this.ctx.policy.minGroupTicketBatch}`,
            },
          });
          released.push(party);
        }
      }
      station.closed = true;
      this.ctx.placements.delete(station.capacity.id);
    }
    return released;
  }

  private fillSeats(parties: Party[], candidates: Map<Party, Candidate[]>): void {
    const reserved = new Map<number, Party[]>();
    const free = this.capacities.map((c) => c.book.freeSeats);
    // Parties with the fewest options choose first.
    const order = [...parties].sort((a, b) => candidates.get(a)!.length - candidates.get(b)!.length || b.size - a.size || a.latest.localeCompare(b.latest));
    for (const party of order) {
      let best: Candidate | null = null;
      for (const c of candidates.get(party)!) {
        const station = this.capacities[c.capacity]!;
        if (station.mode === "GROUP_TICKET" || free[c.capacity]! < party.size) continue;
        if (!best || c.modeRank < best.modeRank || (c.modeRank === best.modeRank && c.onwardKm < best.onwardKm - 1e-9)) best = c;
      }
      if (!best) continue;
      free[best.capacity] = free[best.capacity]! - party.size;
      const list = reserved.get(best.capacity) ?? [];
      list.push(party);
      reserved.set(best.capacity, list);
      party.assigned = true;
    }
    for (const [index, list] of reserved) this.seatParties(index, list);
  }

  private fillGroupTickets(parties: Party[], candidates: Map<Party, Candidate[]>, minBatch: number): void {
    const used = this.capacities.map((c) => c.book.totalSeats - c.book.freeSeats);
    const open = this.capacities.map(
      (c, i) => c.mode === "GROUP_TICKET" && !c.closed && (used[i]! > 0 || c.book.freeSeats >= minBatch),
    );
    const eligible = parties.filter((p) => candidates.get(p)!.some((c) => this.capacities[c.capacity]!.mode === "GROUP_TICKET"));
    eligible.sort((a, b) => candidates.get(a)!.length - candidates.get(b)!.length || b.size - a.size);
    // Each party takes the open quota most others could use too (so batches concentrate); then the
    // emptiest quota below the minimum is closed and its parties choose again, until every quota
    // that carries anyone carries a full batch.
    const potential = new Float64Array(this.capacities.length);
    for (const party of eligible) {
      for (const c of candidates.get(party)!) if (open[c.capacity]) potential[c.capacity] = potential[c.capacity]! + party.size;
    }
    const load = new Float64Array(this.capacities.length);
    const choice = new Map<Party, number>();
    const riders = new Map<number, Party[]>();
    const choose = (party: Party) => {
      let best = -1;
      for (const c of candidates.get(party)!) {
        const station = this.capacities[c.capacity]!;
        if (!open[c.capacity] || station.mode !== "GROUP_TICKET") continue;
        if (station.book.freeSeats - load[c.capacity]! < party.size) continue;
        if (best < 0 || potential[c.capacity]! > potential[best]! || (potential[c.capacity] === potential[best] && c.capacity < best)) best = c.capacity;
      }
      if (best < 0) return;
      choice.set(party, best);
      load[best] = load[best]! + party.size;
      const list = riders.get(best) ?? [];
      list.push(party);
      riders.set(best, list);
    };
    for (const party of eligible) choose(party);
    for (;;) {
      let worst = -1;
      for (let i = 0; i < this.capacities.length; i++) {
        if (!open[i] || load[i] === 0) continue;
        const total = used[i]! + load[i]!;
        if (total < minBatch && (worst < 0 || total < used[worst]! + load[worst]!)) worst = i;
      }
      if (worst < 0) break;
      open[worst] = false;
      const moving = riders.get(worst) ?? [];
      riders.delete(worst);
      load[worst] = 0;
      for (const party of moving) {
        choice.delete(party);
        choose(party);
      }
    }
    const byCapacity = new Map<number, Party[]>();
    for (const [party, index] of choice) {
      if (!open[index]) continue;
      const list = byCapacity.get(index) ?? [];
      list.push(party);
      byCapacity.set(index, list);
      party.assigned = true;
    }
    for (const [index, list] of byCapacity) this.seatParties(index, list);
  }

  /** Seats parties on one capacity in the order of their drop-off stations, groups together. */
  private seatParties(index: number, parties: Party[]): void {
    const station = this.capacities[index]!;
    const placements = this.placementsOf(station);
    const rows = parties.map((party) => {
      const drops = party.members.map((m) => this.dropFor(index, m.destination)!);
      return { party, drops, first: Math.min(...drops.map((d) => d.stop)) };
    });
    rows.sort((a, b) => a.first - b.first || b.party.size - a.party.size);
    for (const { party, drops } of rows) {
      const seats = station.book.allocate(party.size);
      if (!seats) throw new Error(`internal: ${station.capacity.id} has fewer free seats than reserved`);
      party.members.forEach((member, i) => placements.push(this.placement(station, member, seats[i]!, drops[i]!, false)));
    }
  }

  private placement(station: StationCapacity, traveler: Party["members"][number], seat: { car: string; seat: string }, drop: Drop, kept: boolean): Placement {
    return { traveler, seat, drop: station.stops[drop.stop]!, onwardKm: drop.km, kept };
  }

  private placementsOf(station: StationCapacity): Placement[] {
    let list = this.ctx.placements.get(station.capacity.id);
    if (!list) {
      list = [];
      this.ctx.placements.set(station.capacity.id, list);
    }
    return list;
  }

  private readonly candidateCache = new Map<string, Candidate[]>();

  private candidatesFor(party: Party, family: Exclude<Family, "BUS">): Candidate[] {
    const codes = [...new Set(party.members.map((m) => `${m.destination.regionCode}@${m.destination.lat},${m.destination.lng}`))].sort();
    const key = `${family}|${party.preference ?? ""}|${party.earliest}|${party.latest}|${codes.join(";")}`;
    const cached = this.candidateCache.get(key);
    if (cached) return cached;
    const modes = FAMILY_MODES[family];
    const out: Candidate[] = [];
    this.capacities.forEach((station, index) => {
      if (!modes.includes(station.mode) || !windowContains(party, station.capacity.departureDate)) return;
      let onwardKm = 0;
      for (const member of party.members) {
        const drop = this.dropFor(index, member.destination);
        if (!drop) return;
        onwardKm = Math.max(onwardKm, drop.km);
      }
      const rank = station.mode === party.preference ? -1 : modes.indexOf(station.mode);
      out.push({ capacity: index, modeRank: rank, onwardKm });
    });
    this.candidateCache.set(key, out);
    return out;
  }

  private failureOf(party: Party, family: Family, candidates: Candidate[]): Failure {
    const modes = FAMILY_MODES[family as Exclude<Family, "BUS">];
    const label = family === "AIR" ? "flight" : "rail/boat";
    const ofMode = this.capacities.map((c, i) => ({ c, i })).filter(({ c }) => modes.includes(c.mode));
    if (ofMode.length === 0) return { reason: "NO_CAPACITY_FOR_MODE", detail: `no ${label} capacity registered` };
    const reachable = ofMode.filter(({ i }) => party.members.every((m) => this.dropFor(i, m.destination) !== null));
    if (reachable.length === 0) {
      return {
        reason: "DESTINATION_TOO_FAR_FROM_STATION",
        detail: `no ${label} stop within ${this.ctx.policy.maxOnwardKm} km of the destination`,
      };
    }
    if (candidates.length === 0) {
      return { reason: "NO_CAPACITY_IN_WINDOW", detail: `no ${label} capacity serving the destination between ${party.earliest} and ${party.latest}` };
    }
    const onlyTickets = candidates.every((c) => this.capacities[c.capacity]!.mode === "GROUP_TICKET");
    if (onlyTickets && candidates.some((c) => this.capacities[c.capacity]!.closed || this.capacities[c.capacity]!.book.freeSeats >= party.size)) {
      return {
        reason: "BELOW_GROUP_TICKET_MINIMUM",
        detail: `fewer than ${this.ctx.policy.minGroupTicketBatch} travellers for the group-ticket quotas serving the destination`,
      };
    }
    return { reason: "NO_CAPACITY_IN_WINDOW", detail: `all ${label} capacity serving the destination in the window is full` };
  }

  /** Nearest served stop of a capacity to a destination, if within the onward limit. */
  dropFor(index: number, destination: GeoPoint): Drop | null {
    let perPlace = this.dropCache.get(destination);
    if (!perPlace) {
      const key = `${destination.regionCode}|${destination.lat}|${destination.lng}`;
      perPlace = this.dropCacheByPlace.get(key);
      if (!perPlace) {
        perPlace = new Map();
        this.dropCacheByPlace.set(key, perPlace);
      }
      this.dropCache.set(destination, perPlace);
    }
    const cached = perPlace.get(index);
    if (cached !== undefined) return cached;
    const stops = this.capacities[index]!.stops;
    let best: Drop | null = null;
    stops.forEach((stop, i) => {
      const km = stop.regionCode === destination.regionCode ? 0 : roadKmBetween(stop, destination, this.ctx.policy);
      if (km <= this.ctx.policy.maxOnwardKm + 1e-9 && (!best || km < best.km)) best = { stop: i, km };
    });
    perPlace.set(index, best);
    return best;
  }
}

function isStationFamily(family: Family | undefined): boolean {
  return family === "STATION" || family === "AIR";
}

function stationCapacity(capacity: StationCapacityInput, origin: GeoPoint): StationCapacity {
  switch (capacity.mode) {
    case "SPECIAL_TRAIN":
    case "RESERVED_CARRIAGE":
      return {
        capacity,
        mode: capacity.mode,
        boarding: origin,
        stops: capacity.stops,
        book: new SeatBook(capacity.cars.map((c) => ({ car: c.car, seats: c.seats, ...(c.seatsPerRow ? { seatsPerRow: c.seatsPerRow } : {}) }))),
        closed: false,
      };
    case "GROUP_TICKET":
      return { capacity, mode: capacity.mode, boarding: capacity.from, stops: [capacity.to], book: new SeatBook([{ car: "", seats: capacity.count }]), closed: false };
    case "BOAT":
    case "FLIGHT":
      return {
        capacity,
        mode: capacity.mode,
        boarding: origin,
        stops: [capacity.to],
        book: new SeatBook([{ car: "", seats: capacity.seats, ...(capacity.seatsPerRow ? { seatsPerRow: capacity.seatsPerRow } : {}) }]),
        closed: false,
      };
  }
}
