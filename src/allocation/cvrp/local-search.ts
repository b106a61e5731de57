import type { Individual, Penalties } from "./individual.ts";
import type { Problem } from "./problem.ts";
import type { SeededRandom } from "./random.ts";
import { RouteMoves } from "./route-moves.ts";
import { IMPROVEMENT_EPSILON, NONE } from "./route-state.ts";

/** Each neighbour list is reshuffled with this inverse probability per run, as in HGS. */
const NEIGHBOUR_SHUFFLE_ODDS = 20;

/**
 * Granular local search of HGS-CVRP (Vidal 2022): every move of RouteMoves from each customer
 * towards its nearest neighbours, in random order, skipping pairs whose routes did not change
 * since last tested; then SWAP* between routes whose polar sectors overlap (or, without
 * coordinates, that hold neighbours of each other's customers); until nothing improves.
 */
export class LocalSearch extends RouteMoves {
  private readonly lastTestedRI: Int32Array;
  private readonly routeLastSwapStar: Int32Array;
  private readonly routeLinkStamp: Int32Array;
  private linkStamp = 0;
  /** Three cheapest insertion costs and places of each customer into each route, for SWAP*. */
  private readonly insertCost: Float64Array;
  private readonly insertPlace: Int32Array;
  private readonly insertComputedAt: Int32Array;
  private readonly deltaRemoval: Float64Array;
  private swapStarPlace = 0;

  private readonly orderNodes: Int32Array;
  private readonly orderRoutes: Int32Array;
  private readonly usedRoutes: Int32Array;
  private readonly neighbourStart: Int32Array;
  private readonly neighbours: Int32Array;

  constructor(
    problem: Problem,
    routeSlots: number,
    private readonly random: SeededRandom,
    onMove?: (pricedDelta: number) => void,
  ) {
    super(problem, routeSlots, onMove);
    const customers = problem.customers;
    this.lastTestedRI = new Int32Array(customers + 1);
    this.routeLastSwapStar = new Int32Array(routeSlots);
    this.routeLinkStamp = new Int32Array(routeSlots);
    this.insertCost = new Float64Array(routeSlots * (customers + 1) * 3);
    this.insertPlace = new Int32Array(routeSlots * (customers + 1) * 3);
    this.insertComputedAt = new Int32Array(routeSlots * (customers + 1));
    this.deltaRemoval = new Float64Array(customers + 1);
    this.orderNodes = new Int32Array(customers);
    for (let i = 0; i < customers; i++) this.orderNodes[i] = i + 1;
    this.orderRoutes = new Int32Array(routeSlots);
    for (let r = 0; r < routeSlots; r++) this.orderRoutes[r] = r;
    this.usedRoutes = new Int32Array(routeSlots);
    this.neighbourStart = problem.neighbourStart;
    this.neighbours = problem.neighbourList.slice();
  }

  /**
   * Improves `individual` in place until no move helps under the given penalty weights; the
   * result is evaluated with `evaluationPenalties` (the population's current weights).
   */
  run(individual: Individual, search: Penalties, evaluationPenalties: Penalties): void {
    this.penaltyLoad = search.load;
    this.penaltyLength = search.length;
    this.penaltyStops = search.stops;
    this.load(individual.routes);
    this.routeLastSwapStar.fill(-1);
    this.insertComputedAt.fill(-1);
    this.lastTestedRI.fill(-1);

    const random = this.random;
    random.shuffle(this.orderNodes);
    random.shuffle(this.orderRoutes);
    for (let i = 1; i <= this.customers; i++) {
      if (random.nextInt(NEIGHBOUR_SHUFFLE_ODDS) === 0) {
        random.shuffle(this.neighbours, this.neighbourStart[i]!, this.neighbourStart[i + 1]!);
      }
    }

    this.searchCompleted = false;
    for (let loop = 0; !this.searchCompleted; loop++) {
      // At least two loops, since moves into empty routes are not tried in the first one.
      if (loop > 1) this.searchCompleted = true;
      this.routeImprovementLoop(loop);
      this.swapStarLoop(loop);
    }
    this.export(individual, evaluationPenalties);
  }

  private routeImprovementLoop(loop: number): void {
    const { routeOf, lastTestedRI, routeLastModified, neighbours, neighbourStart, customers } = this;
    for (let k = 0; k < customers; k++) {
      const u = this.orderNodes[k]!;
      const lastTest = lastTestedRI[u]!;
      lastTestedRI[u] = this.moves;
      const end = neighbourStart[u + 1]!;
      this.setU(u);
      for (let m = neighbourStart[u]!; m < end; m++) {
        const v = neighbours[m]!;
        if (
          loop > 0 &&
          Math.max(routeLastModified[routeOf[u]!]!, routeLastModified[routeOf[v]!]!) <= lastTest
        ) {
          continue;
        }
        if (this.tryMovesBetween(u, v)) this.setU(u);
      }

      if (loop > 0) {
        const empty = this.findEmptyRoute();
        if (empty !== NONE) {
          this.setU(u);
          this.setV(this.depotStart(empty));
          if (!this.relocate() && !this.relocatePair() && !this.relocatePairReversed()) this.twoOptStar();
        }
      }
    }
  }

  /** Tries the moves of U towards neighbour V in HGS order; true once one is applied. */
  private tryMovesBetween(u: number, v: number): boolean {
    this.setV(v);
    if (this.relocate()) return true;
    if (this.relocatePair()) return true;
    if (this.relocatePairReversed()) return true;
    if (u <= v && this.swap()) return true;
    if (this.swapPairWithOne()) return true;
    if (u <= v && this.swapPairs()) return true;
    if (this.intraRoute) {
      if (this.twoOpt()) return true;
    } else if (this.twoOptStarReversed() || this.twoOptStar()) {
      return true;
    }
    // Insertions right after the depot, which no neighbour relation covers.
    const vPrev = this.prev[v]!;
    if (vPrev > this.customers) {
      this.setV(vPrev);
      if (this.relocate() || this.relocatePair() || this.relocatePairReversed()) return true;
      if (!this.intraRoute && (this.twoOptStarReversed() || this.twoOptStar())) return true;
    }
    return false;
  }

  private swapStarLoop(loop: number): void {
    const hasSectors = this.problem.polarAngle !== null;
    const used = this.usedRoutes;
    let count = 0;
    for (let a = 0; a < this.routeSlots; a++) {
      const r = this.orderRoutes[a]!;
      if (this.routeStops[r]! > 0) used[count++] = r;
    }
    for (let a = 0; a < count; a++) {
      const rU = used[a]!;
      const lastTest = this.routeLastSwapStar[rU]!;
      this.routeLastSwapStar[rU] = this.moves;
      if (!hasSectors) this.markLinkedRoutes(rU);
      for (let b = 0; b < count; b++) {
        const rV = used[b]!;
        // Routes emptied by an earlier SWAP* in this loop have nothing left to exchange.
        if (rU >= rV || this.routeStops[rV] === 0 || this.routeStops[rU] === 0) continue;
        if (loop > 0 && Math.max(this.routeLastModified[rU]!, this.routeLastModified[rV]!) <= lastTest) continue;
        if (hasSectors ? this.sectorsOverlap(rU, rV) : this.routeLinkStamp[rV] === this.linkStamp) {
          this.swapStar(rU, rV);
        }
      }
    }
  }

  /** Without coordinates, routes interact when one holds a granular neighbour of the other's customers. */
  private markLinkedRoutes(r: number): void {
    const stamp = ++this.linkStamp;
    const end = this.depotEnd(r);
    for (let u = this.next[this.depotStart(r)]!; u !== end; u = this.next[u]!) {
      for (let m = this.neighbourStart[u]!; m < this.neighbourStart[u + 1]!; m++) {
        this.routeLinkStamp[this.routeOf[this.neighbours[m]!]!] = stamp;
      }
    }
  }

  /**
   * SWAP* (Vidal 2022): exchange a customer of each route, each reinserted at its best place in
   * the other route rather than in the other's former position; also tries the plain relocations
   * whose best insertion places come for free from the same preprocessing.
   */
  private swapStar(rU: number, rV: number): boolean {
    this.preprocessInsertions(rU, rV);
    this.preprocessInsertions(rV, rU);
    const { next, demand, service, routeLoad, routeTime, routeStops, routePenalty, deltaRemoval } = this;
    const slot = this.customers + 1;
    const endU = this.depotEnd(rU);
    const endV = this.depotEnd(rV);

    let bestCost = 1e30;
    let bestU = NONE;
    let bestV = NONE;
    let bestPlaceU = NONE;
    let bestPlaceV = NONE;

    for (let u = next[this.depotStart(rU)]!; u !== endU; u = next[u]!) {
      const du = demand[u]!;
      for (let v = next[this.depotStart(rV)]!; v !== endV; v = next[v]!) {
        const dv = demand[v]!;
        const penaltyDeltaU =
          this.penalty(routeLoad[rU]! + dv - du, 0, routeStops[rU]!) - routePenalty[rU]!;
        const penaltyDeltaV =
          this.penalty(routeLoad[rV]! + du - dv, 0, routeStops[rV]!) - routePenalty[rV]!;
        if (penaltyDeltaU + deltaRemoval[u]! + penaltyDeltaV + deltaRemoval[v]! > 0) continue;
        const extraV = this.cheapestInsertionWithRemoval(u, v);
        const placeU = this.swapStarPlace;
        const extraU = this.cheapestInsertionWithRemoval(v, u);
        const placeV = this.swapStarPlace;
        const cost =
          penaltyDeltaU +
          deltaRemoval[u]! +
          extraU +
          penaltyDeltaV +
          deltaRemoval[v]! +
          extraV +
          this.lengthPenalty(routeTime[rU]! + deltaRemoval[u]! + extraU + service[v]! - service[u]!) +
          this.lengthPenalty(routeTime[rV]! + deltaRemoval[v]! + extraV - service[v]! + service[u]!);
        if (cost < bestCost) {
          bestCost = cost;
          bestU = u;
          bestV = v;
          bestPlaceU = placeU;
          bestPlaceV = placeV;
        }
      }
    }

    for (let pass = 0; pass < 2; pass++) {
      const from = pass === 0 ? rU : rV;
      const to = pass === 0 ? rV : rU;
      const endFrom = pass === 0 ? endU : endV;
      for (let u = next[this.depotStart(from)]!; u !== endFrom; u = next[u]!) {
        const at = (to * slot + u) * 3;
        const removal = deltaRemoval[u]!;
        const insertion = this.insertCost[at]!;
        const cost =
          removal +
          insertion +
          this.penalty(routeLoad[from]! - demand[u]!, routeTime[from]! + removal - service[u]!, routeStops[from]! - 1) -
          routePenalty[from]! +
          this.penalty(routeLoad[to]! + demand[u]!, routeTime[to]! + insertion + service[u]!, routeStops[to]! + 1) -
          routePenalty[to]!;
        if (cost < bestCost) {
          bestCost = cost;
          if (pass === 0) {
            bestU = u;
            bestPlaceU = this.insertPlace[at]!;
            bestV = NONE;
            bestPlaceV = NONE;
          } else {
            bestV = u;
            bestPlaceV = this.insertPlace[at]!;
            bestU = NONE;
            bestPlaceU = NONE;
          }
        }
      }
    }

    if (bestCost > -IMPROVEMENT_EPSILON) return false;
    if (bestPlaceU !== NONE) this.insertNode(bestU, bestPlaceU);
    if (bestPlaceV !== NONE) this.insertNode(bestV, bestPlaceV);
    this.moves++;
    this.searchCompleted = false;
    this.updateRoute(rU);
    this.updateRoute(rV);
    this.onMove?.(bestCost);
    return true;
  }

  private lengthPenalty(time: number): number {
    return time > this.maxLength ? (time - this.maxLength) * this.penaltyLength : 0;
  }

  /** Best place to insert `u` into the route of `v` once `v` has left it; the place goes to swapStarPlace. */
  private cheapestInsertionWithRemoval(u: number, v: number): number {
    const dist = this.dist;
    const n = this.n;
    const at = (this.routeOf[v]! * (this.customers + 1) + u) * 3;
    const { insertPlace, insertCost, next, prev } = this;
    let place = insertPlace[at]!;
    let cost = insertCost[at]!;
    let found = place !== v && next[place] !== v;
    if (!found && insertPlace[at + 1] !== NONE) {
      place = insertPlace[at + 1]!;
      cost = insertCost[at + 1]!;
      found = place !== v && next[place] !== v;
      if (!found && insertPlace[at + 2] !== NONE) {
        place = insertPlace[at + 2]!;
        cost = insertCost[at + 2]!;
        found = true;
      }
    }
    const before = this.location[prev[v]!]!;
    const after = this.location[next[v]!]!;
    const inPlace = dist[before * n + u]! + dist[u * n + after]! - dist[before * n + after]!;
    if (!found || inPlace < cost) {
      place = prev[v]!;
      cost = inPlace;
    }
    this.swapStarPlace = place;
    return cost;
  }

  /** For each customer of r1: its removal gain, and its three cheapest insertion places in r2. */
  private preprocessInsertions(r1: number, r2: number): void {
    const { next, prev, location, insertCost, insertPlace, insertComputedAt, dist, n } = this;
    const slot = this.customers + 1;
    const end1 = this.depotEnd(r1);
    const start2 = this.depotStart(r2);
    const end2 = this.depotEnd(r2);
    const first2 = location[next[start2]!]!;
    const lastModified = this.routeLastModified[r2]!;
    for (let u = next[this.depotStart(r1)]!; u !== end1; u = next[u]!) {
      const before = location[prev[u]!]!;
      const after = location[next[u]!]!;
      const rowU = u * n;
      this.deltaRemoval[u] = dist[before * n + after]! - dist[before * n + u]! - dist[rowU + after]!;
      const key = r2 * slot + u;
      if (lastModified <= insertComputedAt[key]!) continue;
      insertComputedAt[key] = this.moves;
      let cost0 = dist[u]! + dist[rowU + first2]! - dist[first2]!;
      let place0 = start2;
      let cost1 = 1e30;
      let place1 = NONE;
      let cost2 = 1e30;
      let place2 = NONE;
      for (let v = next[start2]!; v !== end2; ) {
        const following = next[v]!;
        const vNext = location[following]!;
        const cost = dist[v * n + u]! + dist[rowU + vNext]! - dist[v * n + vNext]!;
        if (cost < cost2) {
          if (cost >= cost1) {
            cost2 = cost;
            place2 = v;
          } else if (cost >= cost0) {
            cost2 = cost1;
            place2 = place1;
            cost1 = cost;
            place1 = v;
          } else {
            cost2 = cost1;
            place2 = place1;
            cost1 = cost0;
            place1 = place0;
            cost0 = cost;
            place0 = v;
          }
        }
        v = following;
      }
      const at = key * 3;
      insertCost[at] = cost0;
      insertPlace[at] = place0;
      insertCost[at + 1] = cost1;
      insertPlace[at + 1] = place1;
      insertCost[at + 2] = cost2;
      insertPlace[at + 2] = place2;
    }
  }
}
