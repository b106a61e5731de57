import type { Individual, Penalties } from "./individual.ts";
import { positiveMod16, type Problem } from "./problem.ts";

export const NONE = -1;
/** A move must gain more than this to count, so rounding noise never makes the search cycle. */
export const IMPROVEMENT_EPSILON = 1e-5;

/**
 * Solution state of the local search: routes as doubly linked lists in flat typed arrays, with
 * per-node prefix quantities (load, duration, reversal cost, position) and per-route totals so
 * that moves can be priced in O(1). Node ids: customers 1..C are their own locations, route r
 * starts at depot node C+1+r and ends at depot node C+1+R+r.
 */
export class RouteState {
  protected readonly customers: number;
  protected readonly routeSlots: number;
  protected readonly n: number;
  protected readonly dist: Float64Array;
  protected readonly demand: Float64Array;
  protected readonly service: Float64Array;
  protected readonly capacity: number;
  protected readonly maxLength: number;
  protected readonly maxStops: number;

  protected readonly next: Int32Array;
  protected readonly prev: Int32Array;
  protected readonly routeOf: Int32Array;
  protected readonly position: Int32Array;
  protected readonly location: Int32Array;
  protected readonly cumLoad: Float64Array;
  protected readonly cumTime: Float64Array;
  /** Change in cost from the route start to this node if that stretch were driven backwards. */
  protected readonly cumReversal: Float64Array;

  protected readonly routeLoad: Float64Array;
  /** Driving plus service time of the route. */
  protected readonly routeTime: Float64Array;
  protected readonly routeReversal: Float64Array;
  protected readonly routePenalty: Float64Array;
  protected readonly routeStops: Int32Array;
  protected readonly routeLastModified: Int32Array;
  protected readonly sectorStart: Int32Array;
  protected readonly sectorEnd: Int32Array;
  protected readonly routeAngle: Float64Array;

  protected penaltyLoad = 0;
  protected penaltyLength = 0;
  protected penaltyStops = 0;
  /** Applied moves since the last load; routes remember when they last changed on this count. */
  protected moves = 0;
  private firstEmptyRoute = NONE;
  private emptyRouteKnown = false;

  constructor(
    protected readonly problem: Problem,
    routeSlots: number,
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

    this.routeLoad = new Float64Array(routeSlots);
    this.routeTime = new Float64Array(routeSlots);
    this.routeReversal = new Float64Array(routeSlots);
    this.routePenalty = new Float64Array(routeSlots);
    this.routeStops = new Int32Array(routeSlots);
    this.routeLastModified = new Int32Array(routeSlots);
    this.sectorStart = new Int32Array(routeSlots);
    this.sectorEnd = new Int32Array(routeSlots);
    this.routeAngle = new Float64Array(routeSlots);
  }

  protected depotStart(r: number): number {
    return this.customers + 1 + r;
  }

  protected depotEnd(r: number): number {
    return this.customers + 1 + this.routeSlots + r;
  }

  protected isDepot(node: number): boolean {
    return node > this.customers;
  }

  protected findEmptyRoute(): number {
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

  protected penalty(load: number, time: number, stops: number): number {
    let p = 0;
    if (load > this.capacity) p += (load - this.capacity) * this.penaltyLoad;
    if (time > this.maxLength) p += (time - this.maxLength) * this.penaltyLength;
    if (stops > this.maxStops) p += (stops - this.maxStops) * this.penaltyStops;
    return p;
  }

  protected sectorsOverlap(a: number, b: number): boolean {
    const startA = this.sectorStart[a]!;
    const startB = this.sectorStart[b]!;
    return (
      positiveMod16(startB - startA) <= positiveMod16(this.sectorEnd[a]! - startA) ||
      positiveMod16(startA - startB) <= positiveMod16(this.sectorEnd[b]! - startB)
    );
  }

  protected insertNode(u: number, after: number): void {
    const { next, prev } = this;
    next[prev[u]!] = next[u]!;
    prev[next[u]!] = prev[u]!;
    prev[next[after]!] = u;
    prev[u] = after;
    next[u] = next[after]!;
    next[after] = u;
  }

  /** Exchanges two non-adjacent nodes. */
  protected swapNodes(u: number, v: number): void {
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

  protected updateRoute(r: number): void {
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

  protected extendSector(r: number, angle: number): void {
    const start = this.sectorStart[r]!;
    const end = this.sectorEnd[r]!;
    if (positiveMod16(angle - start) <= positiveMod16(end - start)) return;
    if (positiveMod16(angle - end) <= positiveMod16(start - angle)) this.sectorEnd[r] = angle;
    else this.sectorStart[r] = angle;
  }

  protected load(routes: Int32Array[]): void {
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
    }
  }

  protected export(individual: Individual, penalties: Penalties): void {
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
