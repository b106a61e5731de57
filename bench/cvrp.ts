// Benchmark of the bus-routing core on CVRPLIB instances: `npm run bench:cvrp -- --dir DIR
// --time-factor F --jobs J [--seed S] [--clock cpu|wall]`. Each instance gets F × (customers)
// seconds in its own single-threaded process, J at a time. The budget is process CPU time by
// default, as HGS-CVRP's own time limit (clock()) is, so that other load on a shared machine
// does not shrink it; --clock wall uses elapsed time. The last line printed is a JSON summary.
import { fork } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { checkSolution } from "../src/allocation/cvrp/check-solution.ts";
import { parseSol, parseVrp } from "../src/allocation/cvrp/tsplib.ts";
import type { CvrpInstance, CvrpSolution } from "../src/allocation/cvrp/types.ts";

interface InstanceResult {
  name: string;
  cost: number | null;
  bks: number | null;
  gapPct: number | null;
  seconds: number;
  cpuSeconds: number;
  iterations: number;
  vehicles: number | null;
  feasible: boolean;
  error?: string;
}

const repoRoot = resolve(fileURLToPath(new URL("..", import.meta.url)));
const options = parseArguments(process.argv.slice(2));
const files = readdirSync(options.dir)
  .filter((f) => f.endsWith(".vrp"))
  .sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
if (files.length === 0) {
  console.error(`no .vrp files in ${options.dir}`);
  process.exit(1);
}

const started = performance.now();
const results: InstanceResult[] = new Array(files.length);
let nextIndex = 0;
await Promise.all(Array.from({ length: Math.min(options.jobs, files.length) }, () => worker()));
const totalSeconds = (performance.now() - started) / 1000;

const gaps = results.map((r) => r.gapPct).filter((g): g is number => g !== null);
const summary = {
  instances: results.length,
  meanGapPct: gaps.length > 0 ? round(gaps.reduce((a, b) => a + b, 0) / gaps.length, 3) : null,
  totalSeconds: round(totalSeconds, 1),
  timeFactor: options.timeFactor,
  jobs: options.jobs,
  seed: options.seed,
  clock: options.clock,
  allFeasible: results.every((r) => r.feasible),
  perInstance: results.map(({ name, cost, bks, gapPct, seconds, cpuSeconds, iterations, vehicles }) => ({
    name,
    cost,
    bks,
    gapPct,
    seconds,
    cpuSeconds,
    iterations,
    vehicles,
  })),
};
console.log(JSON.stringify(summary));
if (!summary.allFeasible) process.exitCode = 1;

async function worker(): Promise<void> {
  while (nextIndex < files.length) {
    const index = nextIndex++;
    const result = await runInstance(files[index]!);
    results[index] = result;
    console.log(
      [
        result.name.padEnd(14),
        `cost ${String(result.cost ?? "-").padStart(8)}`,
        `bks ${String(result.bks ?? "-").padStart(8)}`,
        `gap ${result.gapPct === null ? "-" : result.gapPct.toFixed(3).padStart(6)} %`,
        `${result.seconds.toFixed(1).padStart(6)} s (cpu ${result.cpuSeconds.toFixed(1)} s)`,
        `vehicles ${String(result.vehicles ?? "-").padStart(4)}`,
        `iterations ${String(result.iterations).padStart(6)}`,
        `feasible ${result.feasible ? "yes" : "no"}`,
        result.error ?? "",
      ].join("  "),
    );
  }
}

async function runInstance(file: string): Promise<InstanceResult> {
  const path = join(options.dir, file);
  const name = basename(file, ".vrp");
  const vrp = parseVrp(readFileSync(path, "utf8"));
  const instance: CvrpInstance = { n: vrp.n, capacity: vrp.capacity, demand: vrp.demand, coords: { x: vrp.x, y: vrp.y } };
  const solPath = join(options.dir, `${name}.sol`);
  const bks = existsSync(solPath) ? parseSol(readFileSync(solPath, "utf8")).cost : null;
  const timeLimitMs = options.timeFactor * (vrp.n - 1) * 1000;
  try {
    const solution = await solveInChild(path, timeLimitMs);
    const check = checkSolution(instance, solution.routes);
    const cost = check.cost;
    return {
      name,
      cost,
      bks,
      gapPct: bks === null ? null : round(((cost - bks) / bks) * 100, 3),
      seconds: round(solution.timeMs / 1000, 2),
      cpuSeconds: round(solution.cpuMs / 1000, 2),
      iterations: solution.iterations,
      vehicles: solution.routes.length,
      feasible: check.feasible && Math.abs(cost - solution.cost) < 1e-6,
      ...(check.feasible ? {} : { error: JSON.stringify(check.violations.slice(0, 3)) }),
    };
  } catch (error) {
    return {
      name,
      cost: null,
      bks,
      gapPct: null,
      seconds: 0,
      cpuSeconds: 0,
      iterations: 0,
      vehicles: null,
      feasible: false,
      error: String(error),
    };
  }
}

function solveInChild(path: string, timeLimitMs: number): Promise<CvrpSolution & { cpuMs: number }> {
  return new Promise((resolvePromise, reject) => {
    const child = fork(join(repoRoot, "bench/cvrp/run-instance.ts"), [path, String(timeLimitMs), String(options.seed), options.clock], {
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    let solution: (CvrpSolution & { cpuMs: number }) | null = null;
    child.on("message", (message) => {
      solution = message as CvrpSolution & { cpuMs: number };
    });
    child.on("error", reject);
    child.on("exit", (code) => {
      if (solution) resolvePromise(solution);
      else reject(new Error(`solver process for ${path} exited with code ${code}`));
    });
  });
}

function parseArguments(args: string[]) {
  const value = (flag: string) => {
    const at = args.indexOf(flag);
    return at >= 0 ? args[at + 1] : undefined;
  };
  const timeFactor = Number(value("--time-factor") ?? 0.2);
  const jobs = Number(value("--jobs") ?? 1);
  const seed = Number(value("--seed") ?? 1);
  const clock = value("--clock") ?? "cpu";
  if (!(timeFactor > 0) || !Number.isInteger(jobs) || jobs < 1 || !Number.isInteger(seed) || !["cpu", "wall"].includes(clock)) {
    console.error("usage: bench/cvrp.ts [--dir DIR] [--time-factor F > 0] [--jobs J >= 1] [--seed S] [--clock cpu|wall]");
    process.exit(2);
  }
  const dir = resolve(value("--dir") ?? join(repoRoot, "../shared/benchmarks/cvrp"));
  return { dir, timeFactor, jobs, seed, clock };
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
