import { describe, expect, it } from "vitest";
import { checkSolution } from "../../../src/allocation/cvrp/check-solution.ts";
import type { CvrpInstance } from "../../../src/allocation/cvrp/types.ts";
import { loadXInstance } from "./x-instance.ts";

const { sol, instance } = loadXInstance("X-n101-k25");
const bks = sol.routes;
const kinds = (inst: CvrpInstance, routes: number[][], maxVehicles?: number) =>
  checkSolution(inst, routes, maxVehicles).violations.map((v) => v.kind);

describe("checkSolution", () => {
  it("accepts the best-known solution", () => {
    expect(checkSolution(instance, bks, 26).feasible).toBe(true);
  });

  it("catches a customer served twice and one never served", () => {
    const routes = bks.map((r) => [...r]);
    const moved = routes[0]!.pop()!;
    routes[1]!.push(routes[2]![0]!);
    expect(kinds(instance, routes)).toEqual(expect.arrayContaining(["duplicate", "missing"]));
    expect(checkSolution(instance, routes).violations).toContainEqual({ kind: "missing", customer: moved });
  });

  it("catches an overloaded route", () => {
    const routes = [[...bks[0]!, ...bks[1]!], ...bks.slice(2)];
    expect(kinds(instance, routes)).toEqual(["capacity"]);
  });

  it("catches too many stops, too long a route, too many vehicles and unknown nodes", () => {
    const longest = Math.max(...bks.map((r) => r.length));
    expect(kinds({ ...instance, maxStopsPerRoute: longest - 1 }, bks)).toContain("stops");
    const lengths = bks.map((r) => checkSolution(instance, [r]).cost);
    expect(kinds({ ...instance, maxRouteLength: Math.max(...lengths) - 1 }, bks)).toContain("length");
    expect(kinds({ ...instance, maxRouteLength: Math.max(...lengths) }, bks)).not.toContain("length");
    expect(kinds(instance, bks, 25)).toEqual(["vehicles"]);
    expect(kinds(instance, [...bks, [101]])).toEqual(["unknown-node"]);
  });

  it("prices open routes without the return leg", () => {
    const closed = checkSolution(instance, bks).cost;
    const open = checkSolution({ ...instance, openRoutes: true }, bks).cost;
    expect(open).toBeLessThan(closed);
  });
});
