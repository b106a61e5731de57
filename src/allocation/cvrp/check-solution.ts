import type { CvrpInstance } from "./types.ts";
import { roundedEuclideanMatrix } from "./distance.ts";

export type CvrpViolation =
  | { kind: "unknown-node"; node: number }
  | { kind: "duplicate"; customer: number }
  | { kind: "missing"; customer: number }
  | { kind: "capacity"; route: number; load: number }
  | { kind: "stops"; route: number; stops: number }
  | { kind: "length"; route: number; length: number }
  | { kind: "vehicles"; vehicles: number };

export interface CvrpCheck {
  feasible: boolean;
  cost: number;
  violations: CvrpViolation[];
}

/**
 * Independent check of a solution: every customer served exactly once, and each route within
 * capacity, stop limit and length limit (and the fleet within `maxVehicles` when given).
 * Cost is recomputed from the instance, not trusted from the solver.
 */
export function checkSolution(instance: CvrpInstance, routes: number[][], maxVehicles?: number): CvrpCheck {
  const n = instance.n;
  const dist = instance.dist ?? roundedEuclideanMatrix(instance.coords!.x, instance.coords!.y);
  const leg = (from: number, to: number) => (instance.openRoutes && to === 0 ? 0 : dist[from * n + to]!);
  const violations: CvrpViolation[] = [];
  const seen = new Uint8Array(n);
  let cost = 0;
  const nonEmpty = routes.filter((r) => r.length > 0);
  nonEmpty.forEach((route, r) => {
    let load = 0;
    let length = 0;
    let previous = 0;
    for (const c of route) {
      if (!Number.isInteger(c) || c < 1 || c >= n) {
        violations.push({ kind: "unknown-node", node: c });
        continue;
      }
      if (seen[c]) violations.push({ kind: "duplicate", customer: c });
      seen[c] = 1;
      load += Number(instance.demand[c]);
      length += leg(previous, c) + (instance.serviceTime ? Number(instance.serviceTime[c]) : 0);
      cost += leg(previous, c);
      previous = c;
    }
    length += leg(previous, 0);
    cost += leg(previous, 0);
    if (load > instance.capacity) violations.push({ kind: "capacity", route: r, load });
    if (instance.maxStopsPerRoute !== undefined && route.length > instance.maxStopsPerRoute) {
      violations.push({ kind: "stops", route: r, stops: route.length });
    }
    if (instance.maxRouteLength !== undefined && length > instance.maxRouteLength + 1e-6) {
      violations.push({ kind: "length", route: r, length });
    }
  });
  for (let c = 1; c < n; c++) if (!seen[c]) violations.push({ kind: "missing", customer: c });
  if (maxVehicles !== undefined && nonEmpty.length > maxVehicles) {
    violations.push({ kind: "vehicles", vehicles: nonEmpty.length });
  }
  return { feasible: violations.length === 0, cost, violations };
}
