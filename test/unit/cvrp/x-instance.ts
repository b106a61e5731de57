// Loads one of the X benchmark instances shipped in ../shared for the cvrp tests.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseSol, parseVrp } from "../../../src/allocation/cvrp/tsplib.ts";
import type { CvrpInstance } from "../../../src/allocation/cvrp/types.ts";

const benchmarkDir = fileURLToPath(new URL("../../../../shared/benchmarks/cvrp/", import.meta.url));

export function loadXInstance(name: string) {
  const vrp = parseVrp(readFileSync(`${benchmarkDir}${name}.vrp`, "utf8"));
  const sol = parseSol(readFileSync(`${benchmarkDir}${name}.sol`, "utf8"));
  const instance: CvrpInstance = {
    n: vrp.n,
    capacity: vrp.capacity,
    demand: vrp.demand,
    coords: { x: vrp.x, y: vrp.y },
  };
  return { vrp, sol, instance };
}
