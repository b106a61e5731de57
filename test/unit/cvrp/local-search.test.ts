import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Individual, type Penalties } from "../../../src/allocation/cvrp/individual.ts";
import { LocalSearch } from "../../../src/allocation/cvrp/local-search.ts";
import { buildProblem } from "../../../src/allocation/cvrp/problem.ts";
import { SeededRandom } from "../../../src/allocation/cvrp/random.ts";
import { Splitter } from "../../../src/allocation/cvrp/split.ts";

const point = fc.record({ x: fc.integer({ min: 0, max: 500 }), y: fc.integer({ min: 0, max: 500 }) });

describe("LocalSearch move pricing", () => {
  // Every applied move is checked against the cost recomputed from scratch, so a wrong O(1)
  // price (e.g. a reversed segment on an asymmetric matrix) shows at once.
  let moves = 0;
  it("prices every applied move at least as high as its true gain, on asymmetric matrices with open or closed routes", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ at: point, demand: fc.integer({ min: 1, max: 20 }) }), { minLength: 3, maxLength: 35 }),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 1, max: 1_000_000 }),
        (customers, openRoutes, withCoords, seed) => {
          const n = customers.length + 1;
          const x = [250, ...customers.map((c) => c.at.x)];
          const y = [250, ...customers.map((c) => c.at.y)];
          const dist = new Float64Array(n * n);
          for (let i = 0; i < n; i++) {
            for (let j = 0; j < n; j++) {
              if (i !== j) dist[i * n + j] = Math.hypot(x[i]! - x[j]!, y[i]! - y[j]!) + ((i * 31 + j * 17) % 7) * 9;
            }
          }
          const problem = buildProblem(
            {
              n,
              capacity: 40,
              demand: [0, ...customers.map((c) => c.demand)],
              dist,
              ...(withCoords ? { coords: { x, y } } : {}),
              maxStopsPerRoute: 4,
              maxRouteLength: 900,
              serviceTime: [0, ...customers.map((_, i) => i % 3)],
              openRoutes,
            },
            5,
          );
          const random = new SeededRandom(seed);
          const penalties: Penalties = { load: 3, length: 2, stops: 50 };
          const individual = new Individual(problem);
          const tour = Int32Array.from(customers, (_, i) => i + 1);
          random.shuffle(tour);
          individual.setRoutes(problem, new Splitter(problem).split(tour, penalties, n), penalties);
          const before = individual.penalizedCost;
          let current = before;
          const search: LocalSearch = new LocalSearch(problem, n, random, (pricedDelta) => {
            // Intra-route moves leave out the length penalty, which then can only fall further.
            const now = search.penalizedCost();
            expect(pricedDelta).toBeLessThan(0);
            expect(now).toBeLessThanOrEqual(current + pricedDelta + 1e-6);
            current = now;
            moves++;
          });
          search.run(individual, penalties, penalties);
          expect(individual.penalizedCost).toBeCloseTo(current, 6);
          expect(individual.penalizedCost).toBeLessThanOrEqual(before + 1e-6);
          expect(Array.from(individual.giantTour).sort((a, b) => a - b)).toEqual(Array.from(tour).sort((a, b) => a - b));
        },
      ),
      { numRuns: 200, seed: 99 },
    );
    expect(moves).toBeGreaterThan(1000);
  }, 20_000);
});
