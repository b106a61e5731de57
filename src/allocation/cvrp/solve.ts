import { OrderedCrossover } from "./crossover.ts";
import { CvrpError } from "./cvrp-error.ts";
import { Individual, type Penalties } from "./individual.ts";
import { LocalSearch } from "./local-search.ts";
import { vehicleLowerBound } from "./lower-bound.ts";
import { Population, type PopulationParameters } from "./population.ts";
import { buildProblem, NO_LIMIT, type Problem } from "./problem.ts";
import { SeededRandom } from "./random.ts";
import { Splitter } from "./split.ts";
import type { CvrpInstance, CvrpSolution, CvrpSolveOptions } from "./types.ts";

/** Parameters of HGS-CVRP (Vidal 2022), which were tuned on the same X instances. */
const GRANULARITY = 20;
const POPULATION: PopulationParameters = {
  minimumSize: 25,
  generationSize: 40,
  eliteCount: 4,
  closeCount: 5,
  targetFeasible: 0.2,
};
const INITIAL_POPULATION = 4 * POPULATION.minimumSize;
const ITERATIONS_BEFORE_RESTART = 20000;
const PENALTY_UPDATE_PERIOD = 100;
const REPAIR_PENALTY_FACTOR = 10;

/**
 * Solves a capacitated vehicle routing problem with a hybrid genetic search in the manner of
 * HGS-CVRP: ordered crossover on giant tours, Split, granular local search with SWAP*, penalised
 * infeasibility with adaptive weights and a population managed on cost and diversity.
 * The returned routes always respect capacity, the stop limit, the route length limit and the
 * vehicle limit; a CvrpError says why when that is impossible.
 */
export function solveCvrp(instance: CvrpInstance, options: CvrpSolveOptions): CvrpSolution {
  const wallStarted = performance.now();
  const clock = options.clock ?? (() => performance.now());
  const deadline = clock() + options.timeLimitMs;
  const problem = buildProblem(instance, GRANULARITY);
  const random = new SeededRandom(options.seed ?? 1);
  const splitter = new Splitter(problem);
  const penalties = initialPenalties(problem);
  const template = () => new Individual(problem);

  const lowerBound = Math.max(
    vehicleLowerBound(problem.demand, problem.capacity),
    problem.maxStops < NO_LIMIT ? Math.ceil(problem.customers / problem.maxStops) : 1,
  );
  if (options.maxVehicles !== undefined && options.maxVehicles < lowerBound) {
    throw new CvrpError(
      "CVRP_NO_FEASIBLE_SOLUTION",
      `至少需要 ${lowerBound} 辆车，超过上限 ${options.maxVehicles} 辆`,
      `at least ${lowerBound} vehicles are needed, more than the limit of ${options.maxVehicles}`,
    );
  }
  const fallbackRoutes = splitter.split(nearestNeighbourTour(problem), penalties, options.maxVehicles ?? NO_LIMIT, true);
  const routeSlots = options.maxVehicles ?? Math.max(Math.ceil(1.3 * lowerBound) + 3, fallbackRoutes.length);
  let best: Individual | null = null;
  if (fallbackRoutes.length <= routeSlots) {
    best = template();
    best.setRoutes(problem, fallbackRoutes, penalties);
  }

  let iterations = 0;
  if (problem.customers >= 2) {
    const search = new HybridGeneticSearch(problem, routeSlots, lowerBound, penalties, random, splitter, clock);
    iterations = search.run(deadline, options.maxIterationsWithoutImprovement ?? Infinity, best);
    if (search.best && (best === null || search.best.distance < best.distance - 1e-6)) best = search.best;
  }
  if (best === null || !best.feasible) {
    throw new CvrpError(
      "CVRP_NO_FEASIBLE_SOLUTION",
      `在限定的 ${routeSlots} 辆车和时限内未找到满足容量、停靠点和里程限制的方案`,
      `no solution within ${routeSlots} vehicles meeting capacity, stop and length limits was found in time`,
    );
  }
  const routes = best.routes.filter((r) => r.length > 0).map((r) => Array.from(r));
  return {
    routes,
    cost: best.distance,
    vehicles: routes.length,
    iterations,
    timeMs: performance.now() - wallStarted,
  };
}

class HybridGeneticSearch {
  best: Individual | null = null;
  private readonly localSearch: LocalSearch;
  private readonly population: Population;
  private readonly crossover: OrderedCrossover;
  private readonly template: () => Individual;

  constructor(
    private readonly problem: Problem,
    private readonly routeSlots: number,
    private readonly lowerBound: number,
    private readonly penalties: Penalties,
    private readonly random: SeededRandom,
    private readonly splitter: Splitter,
    private readonly clock: () => number,
  ) {
    this.localSearch = new LocalSearch(problem, routeSlots, random);
    this.population = new Population(POPULATION, random);
    this.crossover = new OrderedCrossover(problem.customers);
    this.template = () => new Individual(problem);
  }

  /** Returns the number of crossover iterations done before the deadline. */
  run(deadline: number, patience: number, incumbent: Individual | null): number {
    this.best = incumbent;
    const offspring = this.template();
    let iterations = 0;
    let sinceRestartImprovement = 0;
    let sinceImprovement = 0;
    this.generateInitialPopulation(deadline);
    while (this.clock() < deadline && sinceImprovement < patience) {
      iterations++;
      const first = this.population.binaryTournament();
      const second = this.population.binaryTournament();
      this.crossover.cross(first.giantTour, second.giantTour, offspring.giantTour, this.random);
      const fleet = Math.min(this.routeSlots, Math.max(first.routes.length, this.lowerBound));
      this.splitInto(offspring, fleet);
      const bestBefore = this.best;
      const improvedRun = this.educateAndInsert(offspring);
      sinceRestartImprovement = improvedRun ? 0 : sinceRestartImprovement + 1;
      sinceImprovement = this.best !== bestBefore ? 0 : sinceImprovement + 1;
      if (iterations % PENALTY_UPDATE_PERIOD === 0) {
        this.population.managePenalties(
          this.penalties,
          this.problem.maxLength < NO_LIMIT,
          this.problem.maxStops < NO_LIMIT,
        );
      }
      if (sinceRestartImprovement >= ITERATIONS_BEFORE_RESTART) {
        this.population.restart();
        this.generateInitialPopulation(deadline);
        sinceRestartImprovement = 0;
      }
    }
    return iterations;
  }

  private generateInitialPopulation(deadline: number): void {
    const individual = this.template();
    const tour = individual.giantTour;
    for (let i = 0; i < INITIAL_POPULATION && (i === 0 || this.clock() < deadline); i++) {
      for (let k = 0; k < tour.length; k++) tour[k] = k + 1;
      this.random.shuffle(tour);
      this.splitInto(individual, this.routeSlots);
      this.educateAndInsert(individual);
    }
  }

  private splitInto(individual: Individual, fleet: number): void {
    const routes = this.splitter.split(individual.giantTour, this.penalties, fleet);
    // The search has a fixed number of route slots: surplus routes (only possible when the
    // fleet cannot carry the demand even overloaded) are merged into the last one and repaired.
    while (routes.length > this.routeSlots) {
      const surplus = routes.pop()!;
      const last = routes.pop()!;
      const merged = new Int32Array(last.length + surplus.length);
      merged.set(last);
      merged.set(surplus, last.length);
      routes.push(merged);
    }
    individual.setRoutes(this.problem, routes, this.penalties);
  }

  /** Local search, insertion, and for half of the infeasible results a repair with heavier penalties. */
  private educateAndInsert(individual: Individual): boolean {
    this.localSearch.run(individual, this.penalties, this.penalties);
    let improved = this.population.add(individual, this.template, true);
    this.recordBest(individual);
    if (!individual.feasible && this.random.nextInt(2) === 0) {
      const heavier: Penalties = {
        load: this.penalties.load * REPAIR_PENALTY_FACTOR,
        length: this.penalties.length * REPAIR_PENALTY_FACTOR,
        stops: this.penalties.stops * REPAIR_PENALTY_FACTOR,
      };
      this.localSearch.run(individual, heavier, this.penalties);
      if (individual.feasible) {
        improved = this.population.add(individual, this.template, false) || improved;
        this.recordBest(individual);
      }
    }
    return improved;
  }

  private recordBest(individual: Individual): void {
    if (!individual.feasible) return;
    if (this.best === null || individual.distance < this.best.distance - 1e-6) {
      const copy = this.template();
      copy.copyFrom(individual);
      this.best = copy;
    }
  }
}

function initialPenalties(problem: Problem): Penalties {
  let depotDistance = 0;
  for (let i = 1; i < problem.n; i++) depotDistance += problem.dist[i]!;
  return {
    load: Math.max(0.1, Math.min(1000, problem.distanceToDemandScale)),
    length: 1,
    // One stop too many should cost about one trip out from the depot.
    stops: Math.max(0.1, depotDistance / problem.customers),
  };
}

/** Greedy tour used only to obtain a feasible solution before the search starts. */
function nearestNeighbourTour(problem: Problem): Int32Array {
  const { customers, dist, n } = problem;
  const tour = new Int32Array(customers);
  const visited = new Uint8Array(n);
  let current = 0;
  for (let k = 0; k < customers; k++) {
    let bestNext = -1;
    let bestDistance = Infinity;
    for (let j = 1; j < n; j++) {
      if (visited[j] === 0 && dist[current * n + j]! < bestDistance) {
        bestDistance = dist[current * n + j]!;
        bestNext = j;
      }
    }
    visited[bestNext] = 1;
    tour[k] = bestNext;
    current = bestNext;
  }
  return tour;
}
