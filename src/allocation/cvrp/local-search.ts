import { Individual, type Penalties } from "./individual.ts";
import { positiveMod16, type Problem } from "./problem.ts";
import type { SeededRandom } from "./random.ts";

const EPSILON = 1e-5;
const NONE = -1;

/**
 * Granular local search of HGS-CVRP (Vidal 2022): relocate, swap, 2-opt and 2-opt* over each
 * customer's nearest neighbours, then SWAP* between routes that may interact. Routes are doubly
 * linked lists kept in flat typed arrays. Node ids: customers 1..C are their own locations,
 * route r starts at depot node C+1+r and ends at depot node C+1+R+r.
 * Each route caches load, duration, stops and the cost of reversing it, and each node the same
 * quantities accumulated from the start, so that every move is priced in O(1).
 * Distances may be asymmetric: reversed segments are priced through the accumulated reversal cost.
 */
export class LocalSearch {
  private readonly customers: number;
  private readonly routeSlots: number;
  private readonly n: number;
  private readonly dist: Float64Array;
  private readonly demand: Float64Array;
  private readonly service: Float64Array;
  private readonly capacity: number;
  private readonly maxLength: number;
  private readonly maxStops: number;

  private readonly next: Int32Array;
  private readonly prev: Int32Array;
  private readonly routeOf: Int32Array;
  private readonly position: Int32Array;
  private readonly location: Int32Array;
  private readonly cumLoad: Float64Array;
  private readonly cumTime: Float64Array;
  private readonly cumReversal: Float64Array;
  private readonly lastTestedRI: Int32Array;

  private readonly routeLoad: Float64Array;
  private readonly routeTime: Float64Array;
  private readonly routeReversal: Float64Array;
  private readonly routePenalty: Float64Array;
  private readonly routeStops: Int32Array;
  private readonly routeLastModified: Int32Array;
  private readonly routeLastSwapStar: Int32Array;
  private readonly sectorStart: Int32Array;
  private readonly sectorEnd: Int32Array;
  private readonly routeAngle: Float64Array;
  private readonly routeLinkStamp: Int32Array;

  private readonly insertCost: Float64Array;
  private readonly insertPlace: Int32Array;
  private readonly insertComputedAt: Int32Array;
  private readonly deltaRemoval: Float64Array;

  private readonly orderNodes: Int32Array;
  private readonly orderRoutes: Int32Array;
  private readonly usedRoutes: Int32Array;
  private readonly neighbourStart: Int32Array;
  private readonly neighbours: Int32Array;

  private penaltyLoad = 0;
  private penaltyLength = 0;
  private penaltyStops = 0;
  private moves = 0;
  private searchCompleted = false;
  private firstEmptyRoute = NONE;
  private emptyRouteKnown = false;
  private linkStamp = 0;

  // Move under evaluation: U (then X = next of U) in route rU, V (then Y = next of V) in route rV.
  private nodeU = 0;
  private nodeX = 0;
  private nodeV = 0;
  private nodeY = 0;
  private routeU = 0;
  private routeV = 0;
  private uPrevLoc = 0;
  private uLoc = 0;
  private xLoc = 0;
  private xNextLoc = 0;
  private vPrevLoc = 0;
  private vLoc = 0;
  private yLoc = 0;
  private yNextLoc = 0;
  private loadU = 0;
  private loadX = 0;
  private loadV = 0;
  private loadY = 0;
  private serviceU = 0;
  private serviceX = 0;
  private serviceV = 0;
  private serviceY = 0;
  private intraRoute = false;
  private swapStarPlace = 0;

  constructor(
    private readonly problem: Problem,
    routeSlots: number,
    private readonly random: SeededRandom,
    /** Called after each applied move with the change in penalised cost it was priced at. */
    private readonly onMove?: (pricedDelta: number) => void,
  ) {
    const customers = problem.customers;
    this.customers = customers;
    this.routeSlots = routeSlots;
    this.n = problem.n;
    this.dist = problem.dist;
    this.demand = problem.demand;
    this.service = problem.service;
    this.capacity = problem.capacity;
    this.maxLength = problem.maxLength;
    this.maxStops = problem.maxStops;

    const nodes = customers + 1 + 2 * routeSlots;
    this.next = new Int32Array(nodes);
    this.prev = new Int32Array(nodes);
    this.routeOf = new Int32Array(nodes);
    this.position = new Int32Array(nodes);
    this.location = new Int32Array(nodes);
    for (let i = 1; i <= customers; i++) this.location[i] = i;
    this.cumLoad = new Float64Array(nodes);
    this.cumTime = new Float64Array(nodes);
    this.cumReversal = new Float64Array(nodes);
    this.lastTestedRI = new Int32Array(customers + 1);

    this.routeLoad = new Float64Array(routeSlots);
    this.routeTime = new Float64Array(routeSlots);
    this.routeReversal = new Float64Array(routeSlots);
    this.routePenalty = new Float64Array(routeSlots);
    this.routeStops = new Int32Array(routeSlots);
    this.routeLastModified = new Int32Array(routeSlots);
    this.routeLastSwapStar = new Int32Array(routeSlots);
    this.sectorStart = new Int32Array(routeSlots);
    this.sectorEnd = new Int32Array(routeSlots);
    this.routeAngle = new Float64Array(routeSlots);
    this.routeLinkStamp = new Int32Array(routeSlots);

    this.insertCost = new Float64Array(routeSlots * (customers + 1) * 3);
    this.insertPlace = new Int32Array(routeSlots * (customers + 1) * 3);
    this.insertComputedAt = new Int32Array(routeSlots * (customers + 1));
    this.deltaRemoval = new Float64Array(nodes);

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

    const random = this.random;
    random.shuffle(this.orderNodes);
    random.shuffle(this.orderRoutes);
    const granularity = 20;
    for (let i = 1; i <= this.customers; i++) {
      if (random.nextInt(granularity) === 0) {
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

  private sectorsOverlap(a: number, b: number): boolean {
    const startA = this.sectorStart[a]!;
    const startB = this.sectorStart[b]!;
    return (
      positiveMod16(startB - startA) <= positiveMod16(this.sectorEnd[a]! - startA) ||
      positiveMod16(startA - startB) <= positiveMod16(this.sectorEnd[b]! - startB)
    );
  }

  private depotStart(r: number): number {
    return this.customers + 1 + r;
  }

  private depotEnd(r: number): number {
    return this.customers + 1 + this.routeSlots + r;
  }

  private isDepot(node: number): boolean {
    return node > this.customers;
  }

  private findEmptyRoute(): number {
    if (!this.emptyRouteKnown) {
      this.firstEmptyRoute = NONE;
      for (let r = 0; r < this.routeSlots; r++) {
        if (this.routeStops[r] === 0) {
          this.firstEmptyRoute = r;
          break;
        }
      }
      this.emptyRouteKnown = true;
    }
    return this.firstEmptyRoute;
  }

  private penalty(load: number, time: number, stops: number): number {
    let p = 0;
    if (load > this.capacity) p += (load - this.capacity) * this.penaltyLoad;
    if (time > this.maxLength) p += (time - this.maxLength) * this.penaltyLength;
    if (stops > this.maxStops) p += (stops - this.maxStops) * this.penaltyStops;
    return p;
  }

  private setU(u: number): void {
    this.nodeU = u;
    const x = this.next[u]!;
    this.nodeX = x;
    this.routeU = this.routeOf[u]!;
    this.uPrevLoc = this.location[this.prev[u]!]!;
    this.uLoc = this.location[u]!;
    this.xLoc = this.location[x]!;
    this.xNextLoc = this.location[this.next[x]!]!;
    this.loadU = this.demand[this.uLoc]!;
    this.loadX = this.demand[this.xLoc]!;
    this.serviceU = this.service[this.uLoc]!;
    this.serviceX = this.service[this.xLoc]!;
  }

  private setV(v: number): void {
    this.nodeV = v;
    const y = this.next[v]!;
    this.nodeY = y;
    this.routeV = this.routeOf[v]!;
    this.vPrevLoc = this.location[this.prev[v]!]!;
    this.vLoc = this.location[v]!;
    this.yLoc = this.location[y]!;
    this.yNextLoc = this.location[this.next[y]!]!;
    this.loadV = this.demand[this.vLoc]!;
    this.loadY = this.demand[this.yLoc]!;
    this.serviceV = this.service[this.vLoc]!;
    this.serviceY = this.service[this.yLoc]!;
    this.intraRoute = this.routeU === this.routeV;
  }

  /** Move U after V. */
  private relocate(): boolean {
    const dist = this.dist;
    const n = this.n;
    const { uPrevLoc, uLoc, xLoc, vLoc, yLoc, routeU, routeV } = this;
    let costU = dist[uPrevLoc * n + xLoc]! - dist[uPrevLoc * n + uLoc]! - dist[uLoc * n + xLoc]!;
    let costV = dist[vLoc * n + uLoc]! + dist[uLoc * n + yLoc]! - dist[vLoc * n + yLoc]!;
    if (!this.intraRoute) {
      const before = this.routePenalty[routeU]! + this.routePenalty[routeV]!;
      if (costU + costV >= before) return false;
      costU += this.penalty(
        this.routeLoad[routeU]! - this.loadU,
        this.routeTime[routeU]! + costU - this.serviceU,
        this.routeStops[routeU]! - 1,
      );
      costV += this.penalty(
        this.routeLoad[routeV]! + this.loadU,
        this.routeTime[routeV]! + costV + this.serviceU,
        this.routeStops[routeV]! + 1,
      );
      costU -= before;
    }
    if (costU + costV > -EPSILON) return false;
    if (this.nodeU === this.nodeY) return false;
    this.insertNode(this.nodeU, this.nodeV);
    this.finishMove(costU + costV);
    return true;
  }

  /** Move U and X (in this order) after V. */
  private relocatePair(): boolean {
    const dist = this.dist;
    const n = this.n;
    const { nodeU, nodeX, nodeV, uPrevLoc, uLoc, xLoc, xNextLoc, vLoc, yLoc, routeU, routeV } = this;
    if (nodeU === this.nodeY || nodeV === nodeX || this.isDepot(nodeX)) return false;
    let costU = dist[uPrevLoc * n + xNextLoc]! - dist[uPrevLoc * n + uLoc]! - dist[xLoc * n + xNextLoc]!;
    let costV = dist[vLoc * n + uLoc]! + dist[xLoc * n + yLoc]! - dist[vLoc * n + yLoc]!;
    if (!this.intraRoute) {
      const before = this.routePenalty[routeU]! + this.routePenalty[routeV]!;
      if (costU + costV >= before) return false;
      const inner = dist[uLoc * n + xLoc]!;
      costU += this.penalty(
        this.routeLoad[routeU]! - this.loadU - this.loadX,
        this.routeTime[routeU]! + costU - inner - this.serviceU - this.serviceX,
        this.routeStops[routeU]! - 2,
      );
      costV += this.penalty(
        this.routeLoad[routeV]! + this.loadU + this.loadX,
        this.routeTime[routeV]! + costV + inner + this.serviceU + this.serviceX,
        this.routeStops[routeV]! + 2,
      );
      costU -= before;
    }
    if (costU + costV > -EPSILON) return false;
    this.insertNode(nodeU, nodeV);
    this.insertNode(nodeX, nodeU);
    this.finishMove(costU + costV);
    return true;
  }

  /** Move X then U after V (the pair reversed). */
  private relocatePairReversed(): boolean {
    const dist = this.dist;
    const n = this.n;
    const { nodeU, nodeX, nodeV, uPrevLoc, uLoc, xLoc, xNextLoc, vLoc, yLoc, routeU, routeV } = this;
    if (nodeU === this.nodeY || nodeX === nodeV || this.isDepot(nodeX)) return false;
    let costU =
      dist[uPrevLoc * n + xNextLoc]! - dist[uPrevLoc * n + uLoc]! - dist[uLoc * n + xLoc]! - dist[xLoc * n + xNextLoc]!;
    let costV = dist[vLoc * n + xLoc]! + dist[xLoc * n + uLoc]! + dist[uLoc * n + yLoc]! - dist[vLoc * n + yLoc]!;
    if (!this.intraRoute) {
      const before = this.routePenalty[routeU]! + this.routePenalty[routeV]!;
      if (costU + costV >= before) return false;
      costU += this.penalty(
        this.routeLoad[routeU]! - this.loadU - this.loadX,
        this.routeTime[routeU]! + costU - this.serviceU - this.serviceX,
        this.routeStops[routeU]! - 2,
      );
      costV += this.penalty(
        this.routeLoad[routeV]! + this.loadU + this.loadX,
        this.routeTime[routeV]! + costV + this.serviceU + this.serviceX,
        this.routeStops[routeV]! + 2,
      );
      costU -= before;
    }
    if (costU + costV > -EPSILON) return false;
    this.insertNode(nodeX, nodeV);
    this.insertNode(nodeU, nodeX);
    this.finishMove(costU + costV);
    return true;
  }

  /** Exchange U and V. */
  private swap(): boolean {
    const dist = this.dist;
    const n = this.n;
    const { nodeU, nodeV, uPrevLoc, uLoc, xLoc, vPrevLoc, vLoc, yLoc, routeU, routeV } = this;
    if (nodeU === this.prev[nodeV] || nodeU === this.nodeY) return false;
    let costU = dist[uPrevLoc * n + vLoc]! + dist[vLoc * n + xLoc]! - dist[uPrevLoc * n + uLoc]! - dist[uLoc * n + xLoc]!;
    let costV = dist[vPrevLoc * n + uLoc]! + dist[uLoc * n + yLoc]! - dist[vPrevLoc * n + vLoc]! - dist[vLoc * n + yLoc]!;
    if (!this.intraRoute) {
      const before = this.routePenalty[routeU]! + this.routePenalty[routeV]!;
      if (costU + costV >= before) return false;
      costU += this.penalty(
        this.routeLoad[routeU]! + this.loadV - this.loadU,
        this.routeTime[routeU]! + costU + this.serviceV - this.serviceU,
        this.routeStops[routeU]!,
      );
      costV += this.penalty(
        this.routeLoad[routeV]! + this.loadU - this.loadV,
        this.routeTime[routeV]! + costV - this.serviceV + this.serviceU,
        this.routeStops[routeV]!,
      );
      costU -= before;
    }
    if (costU + costV > -EPSILON) return false;
    this.swapNodes(nodeU, nodeV);
    this.finishMove(costU + costV);
    return true;
  }

  /** Exchange the pair (U, X) with V. */
  private swapPairWithOne(): boolean {
    const dist = this.dist;
    const n = this.n;
    const { nodeU, nodeX, nodeV, uPrevLoc, uLoc, xLoc, xNextLoc, vPrevLoc, vLoc, yLoc, routeU, routeV } = this;
    const vPrev = this.prev[nodeV];
    if (nodeU === vPrev || nodeX === vPrev || nodeU === this.nodeY || this.isDepot(nodeX)) return false;
    let costU = dist[uPrevLoc * n + vLoc]! + dist[vLoc * n + xNextLoc]! - dist[uPrevLoc * n + uLoc]! - dist[xLoc * n + xNextLoc]!;
    let costV = dist[vPrevLoc * n + uLoc]! + dist[xLoc * n + yLoc]! - dist[vPrevLoc * n + vLoc]! - dist[vLoc * n + yLoc]!;
    if (!this.intraRoute) {
      const before = this.routePenalty[routeU]! + this.routePenalty[routeV]!;
      if (costU + costV >= before) return false;
      const inner = dist[uLoc * n + xLoc]!;
      costU += this.penalty(
        this.routeLoad[routeU]! + this.loadV - this.loadU - this.loadX,
        this.routeTime[routeU]! + costU - inner + this.serviceV - this.serviceU - this.serviceX,
        this.routeStops[routeU]! - 1,
      );
      costV += this.penalty(
        this.routeLoad[routeV]! - this.loadV + this.loadU + this.loadX,
        this.routeTime[routeV]! + costV + inner - this.serviceV + this.serviceU + this.serviceX,
        this.routeStops[routeV]! + 1,
      );
      costU -= before;
    }
    if (costU + costV > -EPSILON) return false;
    this.swapNodes(nodeU, nodeV);
    this.insertNode(nodeX, nodeU);
    this.finishMove(costU + costV);
    return true;
  }

  /** Exchange the pairs (U, X) and (V, Y). */
  private swapPairs(): boolean {
    const dist = this.dist;
    const n = this.n;
    const { nodeU, nodeX, nodeV, nodeY, uPrevLoc, uLoc, xLoc, xNextLoc, vPrevLoc, vLoc, yLoc, yNextLoc, routeU, routeV } =
      this;
    if (
      this.isDepot(nodeX) ||
      this.isDepot(nodeY) ||
      nodeY === this.prev[nodeU] ||
      nodeU === nodeY ||
      nodeX === nodeV ||
      nodeV === this.next[nodeX]
    ) {
      return false;
    }
    let costU = dist[uPrevLoc * n + vLoc]! + dist[yLoc * n + xNextLoc]! - dist[uPrevLoc * n + uLoc]! - dist[xLoc * n + xNextLoc]!;
    let costV = dist[vPrevLoc * n + uLoc]! + dist[xLoc * n + yNextLoc]! - dist[vPrevLoc * n + vLoc]! - dist[yLoc * n + yNextLoc]!;
    if (!this.intraRoute) {
      const before = this.routePenalty[routeU]! + this.routePenalty[routeV]!;
      if (costU + costV >= before) return false;
      const innerU = dist[uLoc * n + xLoc]!;
      const innerV = dist[vLoc * n + yLoc]!;
      costU += this.penalty(
        this.routeLoad[routeU]! + this.loadV + this.loadY - this.loadU - this.loadX,
        this.routeTime[routeU]! + costU - innerU + innerV + this.serviceV + this.serviceY - this.serviceU - this.serviceX,
        this.routeStops[routeU]!,
      );
      costV += this.penalty(
        this.routeLoad[routeV]! + this.loadU + this.loadX - this.loadV - this.loadY,
        this.routeTime[routeV]! + costV + innerU - innerV - this.serviceV - this.serviceY + this.serviceU + this.serviceX,
        this.routeStops[routeV]!,
      );
      costU -= before;
    }
    if (costU + costV > -EPSILON) return false;
    this.swapNodes(nodeU, nodeV);
    this.swapNodes(nodeX, nodeY);
    this.finishMove(costU + costV);
    return true;
  }

  /** Within one route: replace arcs U→X and V→Y by U→V and X→Y, reversing X..V. */
  private twoOpt(): boolean {
    const dist = this.dist;
    const n = this.n;
    const { nodeU, nodeX, nodeV, nodeY, uLoc, xLoc, vLoc, yLoc } = this;
    if (this.position[nodeU]! > this.position[nodeV]!) return false;
    const cost =
      dist[uLoc * n + vLoc]! +
      dist[xLoc * n + yLoc]! -
      dist[uLoc * n + xLoc]! -
      dist[vLoc * n + yLoc]! +
      this.cumReversal[nodeV]! -
      this.cumReversal[nodeX]!;
    if (cost > -EPSILON) return false;
    if (this.next[nodeU] === nodeV) return false;
    const { next, prev } = this;
    let node = next[nodeX]!;
    prev[nodeX] = node;
    next[nodeX] = nodeY;
    while (node !== nodeV) {
      const following = next[node]!;
      next[node] = prev[node]!;
      prev[node] = following;
      node = following;
    }
    next[nodeV] = prev[nodeV]!;
    prev[nodeV] = nodeU;
    next[nodeU] = nodeV;
    prev[nodeY] = nodeX;
    this.finishMove(cost);
    return true;
  }

  /** Between routes: start..U + reversed(start..V) and reversed(X..end) + Y..end. */
  private twoOptStarReversed(): boolean {
    const dist = this.dist;
    const n = this.n;
    const { nodeU, nodeX, nodeV, nodeY, uLoc, xLoc, vLoc, yLoc, routeU, routeV } = this;
    const { cumTime, cumReversal, cumLoad, position } = this;
    let cost =
      dist[uLoc * n + vLoc]! +
      dist[xLoc * n + yLoc]! -
      dist[uLoc * n + xLoc]! -
      dist[vLoc * n + yLoc]! +
      cumReversal[nodeV]! +
      this.routeReversal[routeU]! -
      cumReversal[nodeX]! -
      this.routePenalty[routeU]! -
      this.routePenalty[routeV]!;
    if (cost >= 0) return false;
    cost +=
      this.penalty(
        cumLoad[nodeU]! + cumLoad[nodeV]!,
        cumTime[nodeU]! + cumTime[nodeV]! + cumReversal[nodeV]! + dist[uLoc * n + vLoc]!,
        position[nodeU]! + position[nodeV]!,
      ) +
      this.penalty(
        this.routeLoad[routeU]! + this.routeLoad[routeV]! - cumLoad[nodeU]! - cumLoad[nodeV]!,
        this.routeTime[routeU]! -
          cumTime[nodeU]! -
          dist[uLoc * n + xLoc]! +
          this.routeReversal[routeU]! -
          cumReversal[nodeX]! +
          this.routeTime[routeV]! -
          cumTime[nodeV]! -
          dist[vLoc * n + yLoc]! +
          dist[xLoc * n + yLoc]!,
        this.routeStops[routeU]! + this.routeStops[routeV]! - position[nodeU]! - position[nodeV]!,
      );
    if (cost > -EPSILON) return false;

    const { next, prev } = this;
    const depotU = this.depotStart(routeU);
    const depotV = this.depotStart(routeV);
    const depotUEnd = this.depotEnd(routeU);
    const depotVEnd = this.depotEnd(routeV);
    const depotVFirst = next[depotV]!;

    let xx = nodeX;
    while (!this.isDepot(xx)) {
      const following = next[xx]!;
      next[xx] = prev[xx]!;
      prev[xx] = following;
      xx = following;
    }
    let vv = nodeV;
    while (!this.isDepot(vv)) {
      const preceding = prev[vv]!;
      prev[vv] = next[vv]!;
      next[vv] = preceding;
      vv = preceding;
    }
    next[nodeU] = nodeV;
    prev[nodeV] = nodeU;
    next[nodeX] = nodeY;
    prev[nodeY] = nodeX;
    if (this.isDepot(nodeX)) {
      next[depotUEnd] = depotU;
      prev[depotUEnd] = depotVFirst;
      next[depotVFirst] = depotUEnd;
      next[depotV] = nodeY;
      prev[nodeY] = depotV;
    } else if (this.isDepot(nodeV)) {
      next[depotV] = prev[depotUEnd]!;
      prev[next[depotV]!] = depotV;
      prev[depotV] = depotVEnd;
      prev[depotUEnd] = nodeU;
      next[nodeU] = depotUEnd;
    } else {
      next[depotV] = prev[depotUEnd]!;
      prev[next[depotV]!] = depotV;
      prev[depotUEnd] = depotVFirst;
      next[depotVFirst] = depotUEnd;
    }
    this.finishMove(cost);
    return true;
  }

  /** Between routes: start..U + Y..end and start..V + X..end. */
  private twoOptStar(): boolean {
    const dist = this.dist;
    const n = this.n;
    const { nodeU, nodeX, nodeV, nodeY, uLoc, xLoc, vLoc, yLoc, routeU, routeV } = this;
    const { cumTime, cumLoad, position } = this;
    let cost =
      dist[uLoc * n + yLoc]! +
      dist[vLoc * n + xLoc]! -
      dist[uLoc * n + xLoc]! -
      dist[vLoc * n + yLoc]! -
      this.routePenalty[routeU]! -
      this.routePenalty[routeV]!;
    if (cost >= 0) return false;
    cost +=
      this.penalty(
        cumLoad[nodeU]! + this.routeLoad[routeV]! - cumLoad[nodeV]!,
        cumTime[nodeU]! + this.routeTime[routeV]! - cumTime[nodeV]! - dist[vLoc * n + yLoc]! + dist[uLoc * n + yLoc]!,
        position[nodeU]! + this.routeStops[routeV]! - position[nodeV]!,
      ) +
      this.penalty(
        cumLoad[nodeV]! + this.routeLoad[routeU]! - cumLoad[nodeU]!,
        cumTime[nodeV]! + this.routeTime[routeU]! - cumTime[nodeU]! - dist[uLoc * n + xLoc]! + dist[vLoc * n + xLoc]!,
        position[nodeV]! + this.routeStops[routeU]! - position[nodeU]!,
      );
    if (cost > -EPSILON) return false;

    const { next, prev } = this;
    const depotUEnd = this.depotEnd(routeU);
    const depotVEnd = this.depotEnd(routeV);
    const lastOfU = prev[depotUEnd]!;
    next[nodeU] = nodeY;
    prev[nodeY] = nodeU;
    next[nodeV] = nodeX;
    prev[nodeX] = nodeV;
    if (this.isDepot(nodeX)) {
      prev[depotUEnd] = prev[depotVEnd]!;
      next[prev[depotUEnd]!] = depotUEnd;
      next[nodeV] = depotVEnd;
      prev[depotVEnd] = nodeV;
    } else {
      prev[depotUEnd] = prev[depotVEnd]!;
      next[prev[depotUEnd]!] = depotUEnd;
      prev[depotVEnd] = lastOfU;
      next[lastOfU] = depotVEnd;
    }
    this.finishMove(cost);
    return true;
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

    if (bestCost > -EPSILON) return false;
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

  private insertNode(u: number, after: number): void {
    const { next, prev } = this;
    next[prev[u]!] = next[u]!;
    prev[next[u]!] = prev[u]!;
    prev[next[after]!] = u;
    prev[u] = after;
    next[u] = next[after]!;
    next[after] = u;
  }

  /** Exchanges two non-adjacent nodes. */
  private swapNodes(u: number, v: number): void {
    const { next, prev } = this;
    const vPrev = prev[v]!;
    const vNext = next[v]!;
    const uPrev = prev[u]!;
    const uNext = next[u]!;
    next[uPrev] = v;
    prev[uNext] = v;
    next[vPrev] = u;
    prev[vNext] = u;
    prev[u] = vPrev;
    next[u] = vNext;
    prev[v] = uPrev;
    next[v] = uNext;
  }

  private finishMove(pricedDelta: number): void {
    this.moves++;
    this.searchCompleted = false;
    this.updateRoute(this.routeU);
    if (!this.intraRoute) this.updateRoute(this.routeV);
    this.onMove?.(pricedDelta);
  }

  /** Distance plus penalties of the solution currently held, recomputed from scratch. */
  penalizedCost(): number {
    const { dist, n, next, location } = this;
    let total = 0;
    for (let r = 0; r < this.routeSlots; r++) {
      const end = this.depotEnd(r);
      let driven = 0;
      let load = 0;
      let time = 0;
      let stops = 0;
      let previous = 0;
      for (let node = next[this.depotStart(r)]!; ; node = next[node]!) {
        const loc = location[node]!;
        driven += dist[previous * n + loc]!;
        time += dist[previous * n + loc]! + this.service[loc]!;
        load += this.demand[loc]!;
        previous = loc;
        if (node === end) break;
        stops++;
      }
      total += driven + this.penalty(load, time, stops);
    }
    return total;
  }

  private updateRoute(r: number): void {
    const dist = this.dist;
    const n = this.n;
    const { next, location, demand, service, position, cumLoad, cumTime, cumReversal, routeOf } = this;
    const polar = this.problem.polarAngle;
    const end = this.depotEnd(r);
    let node = this.depotStart(r);
    let place = 0;
    let load = 0;
    let time = 0;
    let reversal = 0;
    let sumX = 0;
    let sumY = 0;
    let previousLoc = 0;
    position[node] = 0;
    cumLoad[node] = 0;
    cumTime[node] = 0;
    cumReversal[node] = 0;
    routeOf[node] = r;
    do {
      node = next[node]!;
      const loc = location[node]!;
      place++;
      load += demand[loc]!;
      time += dist[previousLoc * n + loc]! + service[loc]!;
      reversal += dist[loc * n + previousLoc]! - dist[previousLoc * n + loc]!;
      position[node] = place;
      cumLoad[node] = load;
      cumTime[node] = time;
      cumReversal[node] = reversal;
      routeOf[node] = r;
      if (polar !== null && node !== end) {
        const angle = polar[loc]!;
        if (place === 1) {
          this.sectorStart[r] = angle;
          this.sectorEnd[r] = angle;
        } else {
          this.extendSector(r, angle);
        }
        sumX += this.problem.x![loc]!;
        sumY += this.problem.y![loc]!;
      }
      previousLoc = loc;
    } while (node !== end);
    const stops = place - 1;
    this.routeLoad[r] = load;
    this.routeTime[r] = time;
    this.routeReversal[r] = reversal;
    this.routeStops[r] = stops;
    this.routePenalty[r] = this.penalty(load, time, stops);
    this.routeLastModified[r] = this.moves;
    this.emptyRouteKnown = false;
    if (polar !== null && stops > 0) {
      const x0 = this.problem.x![0]!;
      const y0 = this.problem.y![0]!;
      this.routeAngle[r] = Math.atan2(sumY / stops - y0, sumX / stops - x0);
    } else {
      this.routeAngle[r] = stops > 0 ? r : 1e30;
    }
  }

  private extendSector(r: number, angle: number): void {
    const start = this.sectorStart[r]!;
    const end = this.sectorEnd[r]!;
    if (positiveMod16(angle - start) <= positiveMod16(end - start)) return;
    if (positiveMod16(angle - end) <= positiveMod16(start - angle)) this.sectorEnd[r] = angle;
    else this.sectorStart[r] = angle;
  }

  private load(routes: Int32Array[]): void {
    const { next, prev } = this;
    this.moves = 0;
    for (let r = 0; r < this.routeSlots; r++) {
      const start = this.depotStart(r);
      const end = this.depotEnd(r);
      prev[start] = end;
      next[end] = start;
      let previous = start;
      const route = r < routes.length ? routes[r]! : null;
      if (route) {
        for (let i = 0; i < route.length; i++) {
          const c = route[i]!;
          next[previous] = c;
          prev[c] = previous;
          previous = c;
        }
      }
      next[previous] = end;
      prev[end] = previous;
      this.updateRoute(r);
      this.routeLastSwapStar[r] = -1;
    }
    this.insertComputedAt.fill(-1);
    this.lastTestedRI.fill(-1);
  }

  private export(individual: Individual, penalties: Penalties): void {
    const order: number[] = [];
    for (let r = 0; r < this.routeSlots; r++) if (this.routeStops[r]! > 0) order.push(r);
    // Neighbouring routes stay neighbours in the giant tour, which makes crossover keep them together.
    order.sort((a, b) => this.routeAngle[a]! - this.routeAngle[b]!);
    const routes: Int32Array[] = [];
    for (const r of order) {
      const route = new Int32Array(this.routeStops[r]!);
      let k = 0;
      const end = this.depotEnd(r);
      for (let node = this.next[this.depotStart(r)]!; node !== end; node = this.next[node]!) route[k++] = node;
      routes.push(route);
    }
    individual.setRoutes(this.problem, routes, penalties);
  }
}
