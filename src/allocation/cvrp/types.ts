/**
 * A capacitated vehicle routing instance. Node 0 is the depot, nodes 1..n-1 are customers.
 * Distances come either as a full row-major matrix (`dist`, possibly asymmetric, e.g. road km)
 * or as planar coordinates from which rounded Euclidean distances are derived (TSPLIB EUC_2D).
 */
export interface CvrpInstance {
  /** Number of nodes including the depot. */
  n: number;
  capacity: number;
  demand: ArrayLike<number>;
  /** Row-major n×n matrix; dist[i*n+j] is the cost of driving from i to j. */
  dist?: Float64Array;
  /** Planar coordinates; required when `dist` is absent, and used to group routes by sector otherwise. */
  coords?: { x: ArrayLike<number>; y: ArrayLike<number> };
  /** Most customers (drop-off stops) one vehicle may serve. */
  maxStopsPerRoute?: number;
  /** Longest route in distance units: driving (including the return unless `openRoutes`) plus service times. */
  maxRouteLength?: number;
  /** Time spent at each node, in the same units as distances; index 0 (depot) is ignored. */
  serviceTime?: ArrayLike<number>;
  /** Vehicles end at their last customer: the return leg costs nothing and does not count in the length. */
  openRoutes?: boolean;
}

export interface CvrpSolveOptions {
  timeLimitMs: number;
  seed?: number;
  /** Hard upper bound on the number of routes. */
  maxVehicles?: number;
  /**
   * Milliseconds on the clock the time limit is measured with; wall time by default. A benchmark
   * may pass the process CPU time so that other load on the machine does not eat the budget.
   */
  clock?: () => number;
  /** Stop early once this many iterations in a row brought no new best solution (default: none). */
  maxIterationsWithoutImprovement?: number;
}

export interface CvrpSolution {
  /** Each route lists customer node indices in visiting order, depot excluded. */
  routes: number[][];
  cost: number;
  vehicles: number;
  iterations: number;
  timeMs: number;
}
