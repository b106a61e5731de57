import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkSolution } from "../../../src/allocation/cvrp/check-solution.ts";
import { roundedEuclideanMatrix } from "../../../src/allocation/cvrp/distance.ts";
import { solveCvrp } from "../../../src/allocation/cvrp/solve.ts";
import type { CvrpInstance } from "../../../src/allocation/cvrp/types.ts";

const point = fc.record({ x: fc.integer({ min: 0, max: 1000 }), y: fc.integer({ min: 0, max: 1000 }) });

/** Random small instances with the limits the bus planner uses: seats, stops, and a driving limit. */
const instanceArbitrary = fc
  .record({
    depot: point,
    customers: fc.array(fc.record({ at: point, demand: fc.integer({ min: 1, max: 45 }), service: fc.integer({ min: 0, max: 30 }) }), {
      minLength: 2,
      maxLength: 40,
    }),
    capacity: fc.integer({ min: 45, max: 60 }),
    maxStops: fc.integer({ min: 1, max: 6 }),
    lengthSlack: fc.double({ min: 1, max: 3, noNaN: true }),
    openRoutes: fc.boolean(),
    asymmetry: fc.integer({ min: 0, max: 80 }),
  })
  .map(({ depot, customers, capacity, maxStops, lengthSlack, openRoutes, asymmetry }) => {
    const n = customers.length + 1;
    const x = [depot.x, ...customers.map((c) => c.at.x)];
    const y = [depot.y, ...customers.map((c) => c.at.y)];
    // Road networks are asymmetric: add a direction-dependent detour to the Euclidean distance.
    const dist = roundedEuclideanMatrix(x, y);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) dist[i * n + j]! += ((i * 7 + j * 13) % 5) * asymmetry;
    const serviceTime = [0, ...customers.map((c) => c.service)];
    let farthest = 0;
    for (let i = 1; i < n; i++) {
      farthest = Math.max(farthest, dist[i]! + serviceTime[i]! + (openRoutes ? 0 : dist[i * n]!));
    }
    const instance: CvrpInstance = {
      n,
      capacity,
      demand: [0, ...customers.map((c) => c.demand)],
      dist,
      coords: { x, y },
      maxStopsPerRoute: maxStops,
      maxRouteLength: Math.ceil(farthest * lengthSlack),
      serviceTime,
      openRoutes,
    };
    return instance;
  });

/** Stopping on stagnation rather than time keeps these runs identical on a loaded machine. */
const budget = { timeLimitMs: 20_000, maxIterationsWithoutImprovement: 150 };

describe("solveCvrp on random instances", () => {
  it("always honours capacity, stops and route length, and reports the checked cost", () => {
    fc.assert(
      fc.property(instanceArbitrary, fc.integer({ min: 1, max: 1000 }), (instance, seed) => {
        const result = solveCvrp(instance, { ...budget, seed });
        const check = checkSolution(instance, result.routes);
        expect(check.violations).toEqual([]);
        expect(result.cost).toBeCloseTo(check.cost, 6);
      }),
      { numRuns: 20, seed: 20240611 },
    );
  }, 30_000);

  it("honours a vehicle limit that a feasible solution can meet", () => {
    fc.assert(
      fc.property(instanceArbitrary, (instance) => {
        const unlimited = solveCvrp(instance, { ...budget, seed: 3 });
        const limited = solveCvrp(instance, { ...budget, seed: 3, maxVehicles: unlimited.vehicles });
        expect(checkSolution(instance, limited.routes, unlimited.vehicles).violations).toEqual([]);
      }),
      { numRuns: 8, seed: 42 },
    );
  }, 30_000);

  it("is reproducible for a seed", () => {
    fc.assert(
      fc.property(instanceArbitrary, (instance) => {
        const options = { ...budget, seed: 11 };
        expect(solveCvrp(instance, options).routes).toEqual(solveCvrp(instance, options).routes);
      }),
      { numRuns: 5, seed: 7 },
    );
  }, 30_000);
});
