// Child process of bench/cvrp.ts: solves one instance on its own core and reports over IPC.
import { readFileSync } from "node:fs";
import { solveCvrp } from "../../src/allocation/cvrp/solve.ts";
import { parseVrp } from "../../src/allocation/cvrp/tsplib.ts";

const [path, timeLimitMs, seed, clockName] = process.argv.slice(2);
const cpuMilliseconds = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
};
const vrp = parseVrp(readFileSync(path!, "utf8"));
const cpuStarted = cpuMilliseconds();
const solution = solveCvrp(
  { n: vrp.n, capacity: vrp.capacity, demand: vrp.demand, coords: { x: vrp.x, y: vrp.y } },
  // HGS-CVRP measures its limit with clock(), i.e. process CPU time; "cpu" does the same here.
  { timeLimitMs: Number(timeLimitMs), seed: Number(seed), ...(clockName === "cpu" ? { clock: cpuMilliseconds } : {}) },
);
process.send!({ ...solution, cpuMs: cpuMilliseconds() - cpuStarted }, () => process.exit(0));
