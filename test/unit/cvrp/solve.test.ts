import { describe, expect, it } from "vitest";
import { checkSolution } from "../../../src/allocation/cvrp/check-solution.ts";
import { CvrpError } from "../../../src/allocation/cvrp/cvrp-error.ts";
import { solveCvrp } from "../../../src/allocation/cvrp/solve.ts";
import { loadXInstance } from "./x-instance.ts";

describe("solveCvrp on X-n101-k25", () => {
  it("returns a feasible solution within 2 % of the best known in 3 s", () => {
    const { sol, instance } = loadXInstance("X-n101-k25");
    const result = solveCvrp(instance, { timeLimitMs: 3000, seed: 7 });
    const check = checkSolution(instance, result.routes);
    expect(check.violations).toEqual([]);
    expect(result.cost).toBe(check.cost);
    expect(result.vehicles).toBe(result.routes.length);
    expect(result.iterations).toBeGreaterThan(0);
    expect((result.cost - sol.cost!) / sol.cost!).toBeLessThan(0.02);
  });
});

describe("solveCvrp input errors", () => {
  const square = { x: [0, 10, 0, -10], y: [0, 0, 10, 0] };

  it("rejects a customer whose demand exceeds the capacity", () => {
    const run = () => solveCvrp({ n: 4, capacity: 10, demand: [0, 4, 11, 3], coords: square }, { timeLimitMs: 50 });
    expect(run).toThrow(expect.objectContaining({ code: "CVRP_DEMAND_EXCEEDS_CAPACITY" }));
  });

  it("rejects a customer out of reach of the route length limit", () => {
    const run = () =>
      solveCvrp({ n: 4, capacity: 10, demand: [0, 1, 1, 1], coords: square, maxRouteLength: 15 }, { timeLimitMs: 50 });
    expect(run).toThrow(expect.objectContaining({ code: "CVRP_CUSTOMER_BEYOND_ROUTE_LENGTH" }));
  });

  it("says so when the vehicle limit cannot carry the demand", () => {
    const run = () => solveCvrp({ n: 4, capacity: 10, demand: [0, 6, 6, 6], coords: square }, { timeLimitMs: 100, maxVehicles: 2 });
    expect(run).toThrow(CvrpError);
    expect(run).toThrow(expect.objectContaining({ code: "CVRP_NO_FEASIBLE_SOLUTION" }));
  });

  it("fails at once when the vehicle limit is below the capacity bound", () => {
    const started = performance.now();
    const run = () => solveCvrp({ n: 4, capacity: 10, demand: [0, 6, 6, 6], coords: square }, { timeLimitMs: 5000, maxVehicles: 1 });
    expect(run).toThrow(expect.objectContaining({ code: "CVRP_NO_FEASIBLE_SOLUTION" }));
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("serves a single customer with one route", () => {
    const result = solveCvrp({ n: 2, capacity: 5, demand: [0, 5], coords: { x: [0, 3], y: [0, 4] } }, { timeLimitMs: 50 });
    expect(result.routes).toEqual([[1]]);
    expect(result.cost).toBe(10);
  });
});
