import type { Problem } from "./problem.ts";

/** Penalty weights per unit of excess; adapted during the search. */
export interface Penalties {
  load: number;
  length: number;
  stops: number;
}

const FEASIBILITY_EPSILON = 1e-6;

/** One solution: its routes, the giant tour they came from and the cached evaluation. */
export class Individual {
  /** All customers, route after route; the chromosome crossover works on. */
  readonly giantTour: Int32Array;
  routes: Int32Array[] = [];
  /** Neighbours of each customer in its route, 0 for the depot; used by the broken-pairs distance. */
  readonly successors: Int32Array;
  readonly predecessors: Int32Array;
  distance = 0;
  loadExcess = 0;
  lengthExcess = 0;
  stopsExcess = 0;
  penalizedCost = 0;
  feasible = false;
  biasedFitness = 0;
  /** Other members of the same subpopulation, nearest first. */
  proximity: { distance: number; other: Individual }[] = [];

  constructor(problem: Problem) {
    this.giantTour = new Int32Array(problem.customers);
    this.successors = new Int32Array(problem.n);
    this.predecessors = new Int32Array(problem.n);
  }

  /** Takes `routes` as the solution and recomputes everything derived from it. */
  setRoutes(problem: Problem, routes: Int32Array[], penalties: Penalties): void {
    this.routes = routes;
    const { dist, n, demand, service } = problem;
    let distance = 0;
    let loadExcess = 0;
    let lengthExcess = 0;
    let stopsExcess = 0;
    let k = 0;
    for (const route of routes) {
      if (route.length === 0) continue;
      let load = 0;
      let length = 0;
      let previous = 0;
      for (let i = 0; i < route.length; i++) {
        const c = route[i]!;
        this.giantTour[k++] = c;
        load += demand[c]!;
        length += dist[previous * n + c]! + service[c]!;
        this.predecessors[c] = previous;
        this.successors[previous] = c;
        previous = c;
      }
      this.successors[previous] = 0;
      const drive = dist[previous * n]!;
      length += drive;
      let routeDistance = length;
      for (let i = 0; i < route.length; i++) routeDistance -= service[route[i]!]!;
      distance += routeDistance;
      if (load > problem.capacity) loadExcess += load - problem.capacity;
      if (length > problem.maxLength) lengthExcess += length - problem.maxLength;
      if (route.length > problem.maxStops) stopsExcess += route.length - problem.maxStops;
    }
    this.distance = distance;
    this.loadExcess = loadExcess;
    this.lengthExcess = lengthExcess;
    this.stopsExcess = stopsExcess;
    this.feasible =
      loadExcess < FEASIBILITY_EPSILON && lengthExcess < FEASIBILITY_EPSILON && stopsExcess < FEASIBILITY_EPSILON;
    this.reprice(penalties);
  }

  reprice(penalties: Penalties): void {
    this.penalizedCost =
      this.distance +
      penalties.load * this.loadExcess +
      penalties.length * this.lengthExcess +
      penalties.stops * this.stopsExcess;
  }

  copyFrom(other: Individual): void {
    this.giantTour.set(other.giantTour);
    this.successors.set(other.successors);
    this.predecessors.set(other.predecessors);
    this.routes = other.routes.map((r) => r.slice());
    this.distance = other.distance;
    this.loadExcess = other.loadExcess;
    this.lengthExcess = other.lengthExcess;
    this.stopsExcess = other.stopsExcess;
    this.penalizedCost = other.penalizedCost;
    this.feasible = other.feasible;
  }
}

/**
 * Share of customers whose route neighbours differ between two solutions (HGS diversity measure):
 * an edge counts as kept in either direction.
 */
export function brokenPairsDistance(a: Individual, b: Individual): number {
  const customers = a.giantTour.length;
  let differences = 0;
  for (let j = 1; j <= customers; j++) {
    const sa = a.successors[j]!;
    const pa = a.predecessors[j]!;
    if (sa !== b.successors[j]! && sa !== b.predecessors[j]!) differences++;
    if (pa === 0 && b.predecessors[j]! !== 0 && b.successors[j]! !== 0) differences++;
  }
  return differences / customers;
}
