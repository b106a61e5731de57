import type { Penalties } from "./individual.ts";
import type { Problem } from "./problem.ts";

/** Routes longer than this factor times a limit are never worth considering, even when penalised. */
const SPLIT_OVERLOAD_CUTOFF = 1.5;

/**
 * Optimal cutting of a giant tour into routes (Prins' Split, Bellman on the auxiliary DAG) with
 * penalised excess load, length and stops. With `hard`, routes that break a limit are not allowed
 * (every single-customer route is feasible by validation, so a solution always exists).
 * Falls back to a fleet-limited Split when the best cut needs more than `maxRoutes` routes.
 */
export class Splitter {
  private readonly potential: Float64Array;
  private readonly predecessor: Int32Array;
  /** Arc costs out of each tour position i: arcTable[arcStart[i] + (j - i - 1)] for j up to arcLast[i]. */
  private arcTable: Float64Array;
  private readonly arcStart: Int32Array;
  private readonly arcLast: Int32Array;
  private layered: Float64Array | null = null;
  private layeredPredecessor: Int32Array | null = null;

  constructor(private readonly problem: Problem) {
    this.potential = new Float64Array(problem.customers + 1);
    this.predecessor = new Int32Array(problem.customers + 1);
    this.arcTable = new Float64Array(4 * problem.customers);
    this.arcStart = new Int32Array(problem.customers + 1);
    this.arcLast = new Int32Array(problem.customers + 1);
  }

  split(tour: Int32Array, penalties: Penalties, maxRoutes: number, hard = false): Int32Array[] {
    const customers = tour.length;
    const potential = this.potential;
    const predecessor = this.predecessor;
    potential.fill(Infinity);
    potential[0] = 0;
    let filled = 0;
    for (let i = 0; i < customers; i++) {
      this.arcStart[i] = filled;
      const last = this.arcsFrom(tour, i, penalties, hard, filled);
      this.arcLast[i] = last;
      filled += last - i;
      const base = potential[i]!;
      if (base === Infinity) continue;
      const offset = this.arcStart[i]! - i - 1;
      const arcs = this.arcTable;
      for (let j = i + 1; j <= last; j++) {
        const arc = arcs[offset + j]!;
        if (arc === SKIP) continue;
        if (base + arc < potential[j]!) {
          potential[j] = base + arc;
          predecessor[j] = i;
        }
      }
    }
    let routeCount = 0;
    for (let j = customers; j > 0; j = predecessor[j]!) routeCount++;
    if (routeCount <= maxRoutes) return this.extract(tour, predecessor, customers);
    return this.splitLimitedFleet(tour, penalties, maxRoutes, hard) ?? this.extract(tour, predecessor, customers);
  }

  private splitLimitedFleet(tour: Int32Array, penalties: Penalties, maxRoutes: number, hard: boolean) {
    const customers = tour.length;
    const width = customers + 1;
    const size = (maxRoutes + 1) * width;
    if (!this.layered || this.layered.length < size) {
      this.layered = new Float64Array(size);
      this.layeredPredecessor = new Int32Array(size);
    }
    const layered = this.layered;
    const layeredPredecessor = this.layeredPredecessor!;
    layered.fill(Infinity, 0, size);
    layered[0] = 0;
    for (let k = 0; k < maxRoutes; k++) {
      for (let i = k; i < customers; i++) {
        const base = layered[k * width + i]!;
        if (base === Infinity) continue;
        const last = this.arcLast[i]!;
        const offset = this.arcStart[i]! - i - 1;
        const arcs = this.arcTable;
        for (let j = i + 1; j <= last; j++) {
          const arc = arcs[offset + j]!;
          if (arc === SKIP) continue;
          const at = (k + 1) * width + j;
          if (base + arc < layered[at]!) {
            layered[at] = base + arc;
            layeredPredecessor[at] = i;
          }
        }
      }
    }
    let bestK = -1;
    let best = Infinity;
    for (let k = 1; k <= maxRoutes; k++) {
      if (layered[k * width + customers]! < best) {
        best = layered[k * width + customers]!;
        bestK = k;
      }
    }
    if (bestK < 0) return null;
    const routes: Int32Array[] = [];
    let j = customers;
    for (let k = bestK; k > 0; k--) {
      const i = layeredPredecessor[k * width + j]!;
      routes.push(tour.slice(i, j));
      j = i;
    }
    return routes.reverse();
  }

  /**
   * Writes from arcTable[at] the cost of serving tour[i..j) as one route (SKIP when forbidden),
   * j = i+1, i+2, …, and returns the largest j worth considering from i.
   */
  private arcsFrom(tour: Int32Array, i: number, penalties: Penalties, hard: boolean, at: number): number {
    const { dist, n, demand, service, capacity, maxLength, maxStops } = this.problem;
    if (this.arcTable.length < at + tour.length - i) {
      const grown = new Float64Array(Math.max(2 * this.arcTable.length, at + tour.length - i));
      grown.set(this.arcTable);
      this.arcTable = grown;
    }
    const arcs = this.arcTable;
    const offset = at - i - 1;
    let load = 0;
    let driven = 0;
    let served = 0;
    let previous = 0;
    let j = i + 1;
    for (; j <= tour.length; j++) {
      const c = tour[j - 1]!;
      load += demand[c]!;
      served += service[c]!;
      driven += dist[previous * n + c]!;
      previous = c;
      const stops = j - i;
      if (j > i + 1 && (load > SPLIT_OVERLOAD_CUTOFF * capacity || stops > SPLIT_OVERLOAD_CUTOFF * maxStops + 1)) break;
      const routeDistance = driven + dist[c * n]!;
      const length = routeDistance + served;
      if (hard) {
        if (load > capacity || stops > maxStops) break;
        arcs[offset + j] = length > maxLength ? SKIP : routeDistance;
      } else {
        arcs[offset + j] =
          routeDistance +
          penalties.load * Math.max(0, load - capacity) +
          penalties.length * Math.max(0, length - maxLength) +
          penalties.stops * Math.max(0, stops - maxStops);
      }
    }
    return j - 1;
  }

  private extract(tour: Int32Array, predecessor: Int32Array, customers: number): Int32Array[] {
    const routes: Int32Array[] = [];
    for (let j = customers; j > 0; ) {
      const i = predecessor[j]!;
      routes.push(tour.slice(i, j));
      j = i;
    }
    return routes.reverse();
  }
}

const SKIP = -1;
