// Loads one of the CVRPLIB X instances kept in test/fixtures/cvrp (a copy, with its licence, of the
// benchmark set beside the project, so that a clean clone tests on its own).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseSol, parseVrp } from "../../../src/allocation/cvrp/tsplib.ts";
import type { CvrpInstance } from "../../../src/allocation/cvrp/types.ts";

const benchmarkDir = fileURLToPath(new URL("../../fixtures/cvrp/", import.meta.url));

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
