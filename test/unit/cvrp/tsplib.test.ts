import { describe, expect, it } from "vitest";
import { checkSolution } from "../../../src/allocation/cvrp/check-solution.ts";
import { CvrpError } from "../../../src/allocation/cvrp/cvrp-error.ts";
import { vehicleLowerBound } from "../../../src/allocation/cvrp/lower-bound.ts";
import { parseSol, parseVrp } from "../../../src/allocation/cvrp/tsplib.ts";
import { loadXInstance } from "./x-instance.ts";

describe("TSPLIB parsers on X-n101-k25", () => {
  const { vrp, sol, instance } = loadXInstance("X-n101-k25");

  it("reads header, coordinates (depot first) and demands", () => {
    expect(vrp.name).toBe("X-n101-k25");
    expect(vrp.n).toBe(101);
    expect(vrp.capacity).toBe(206);
    expect(vrp.edgeWeightType).toBe("EUC_2D");
    expect([vrp.x[0], vrp.y[0]]).toEqual([365, 689]);
    expect([vrp.x[100], vrp.y[100]]).toEqual([615, 750]);
    expect(vrp.demand[0]).toBe(0);
    expect(vrp.demand[1]).toBe(38);
  });

  it("reads the best-known solution, whose stated cost is the sum of rounded Euclidean edges", () => {
    expect(sol.routes).toHaveLength(26);
    expect(sol.cost).toBe(27591);
    const check = checkSolution(instance, sol.routes);
    expect(check.violations).toEqual([]);
    expect(check.cost).toBe(27591);
  });

  it("bounds the fleet by total demand over capacity", () => {
    expect(vehicleLowerBound(vrp.demand, vrp.capacity)).toBe(25);
    expect(vehicleLowerBound([0, 5, 5], 10)).toBe(1);
    expect(vehicleLowerBound([0, 5, 6], 10)).toBe(2);
  });

  it("rejects files without a dimension or with garbage solution ids", () => {
    expect(() => parseVrp("NAME : x\nCAPACITY : 10\n")).toThrow(CvrpError);
    expect(() => parseSol("Route #1: 1 0 2\nCost 3\n")).toThrow(CvrpError);
    expect(parseSol("Route #1: 2 1\nRoute #2: 3\nCost 12\n")).toEqual({ routes: [[2, 1], [3]], cost: 12 });
  });
});
