import { brokenPairsDistance, Individual, type Penalties } from "./individual.ts";
import type { SeededRandom } from "./random.ts";

export interface PopulationParameters {
  /** Subpopulation size kept after a survivor selection. */
  minimumSize: number;
  /** Offspring allowed beyond minimumSize before survivors are selected. */
  generationSize: number;
  /** Best individuals protected from the diversity term of the biased fitness. */
  eliteCount: number;
  /** Nearest individuals whose mean distance measures diversity contribution. */
  closeCount: number;
  /** Share of local-search outputs the penalties aim to keep feasible. */
  targetFeasible: number;
}

const FEASIBILITY_MEMORY = 100;
const PENALTY_MIN = 0.1;
const PENALTY_MAX = 100000;
const PENALTY_INCREASE = 1.2;
const PENALTY_DECREASE = 0.85;

/** Recent outcomes of one constraint, as a ring buffer of feasible (1) / infeasible (0). */
class FeasibilityMemory {
  private readonly outcomes = new Uint8Array(FEASIBILITY_MEMORY).fill(1);
  private cursor = 0;

  record(feasible: boolean): void {
    this.outcomes[this.cursor] = feasible ? 1 : 0;
    this.cursor = (this.cursor + 1) % FEASIBILITY_MEMORY;
  }

  fraction(): number {
    let sum = 0;
    for (let i = 0; i < FEASIBILITY_MEMORY; i++) sum += this.outcomes[i]!;
    return sum / FEASIBILITY_MEMORY;
  }
}

/**
 * HGS population: a feasible and an infeasible subpopulation, each ranked by biased fitness
 * (cost rank plus diversity rank measured by broken-pairs distance), with survivor selection
 * that removes clones first.
 */
export class Population {
  feasible: Individual[] = [];
  infeasible: Individual[] = [];
  /** Best feasible individual since the last restart. */
  private bestOfRun: Individual | null = null;
  private readonly loadMemory = new FeasibilityMemory();
  private readonly lengthMemory = new FeasibilityMemory();
  private readonly stopsMemory = new FeasibilityMemory();

  constructor(
    private readonly parameters: PopulationParameters,
    private readonly random: SeededRandom,
  ) {}

  /** Stores a copy of `individual`; true when it is the best feasible solution since the last restart. */
  add(individual: Individual, template: () => Individual, recordFeasibility: boolean): boolean {
    if (recordFeasibility) {
      this.loadMemory.record(individual.loadExcess < 1e-6);
      this.lengthMemory.record(individual.lengthExcess < 1e-6);
      this.stopsMemory.record(individual.stopsExcess < 1e-6);
    }
    const subpopulation = individual.feasible ? this.feasible : this.infeasible;
    const copy = template();
    copy.copyFrom(individual);
    for (const other of subpopulation) {
      const distance = brokenPairsDistance(copy, other);
      insertByDistance(other.proximity, distance, copy);
      insertByDistance(copy.proximity, distance, other);
    }
    let place = subpopulation.length;
    while (place > 0 && subpopulation[place - 1]!.penalizedCost > copy.penalizedCost - 1e-6) place--;
    subpopulation.splice(place, 0, copy);

    const { minimumSize, generationSize } = this.parameters;
    if (subpopulation.length > minimumSize + generationSize) {
      while (subpopulation.length > minimumSize) this.removeWorstBiasedFitness(subpopulation);
    }

    if (copy.feasible && (this.bestOfRun === null || copy.penalizedCost < this.bestOfRun.penalizedCost - 1e-6)) {
      this.bestOfRun = copy;
      return true;
    }
    return false;
  }

  binaryTournament(): Individual {
    const size = this.feasible.length + this.infeasible.length;
    const first = this.pick(this.random.nextInt(size));
    const second = this.pick(this.random.nextInt(size));
    this.updateBiasedFitness(this.feasible);
    this.updateBiasedFitness(this.infeasible);
    return first.biasedFitness < second.biasedFitness ? first : second;
  }

  /** Moves each penalty weight towards the target share of feasible local-search outputs. */
  managePenalties(penalties: Penalties, hasLengthLimit: boolean, hasStopsLimit: boolean): void {
    penalties.load = adjust(penalties.load, this.loadMemory.fraction(), this.parameters.targetFeasible);
    if (hasLengthLimit) {
      penalties.length = adjust(penalties.length, this.lengthMemory.fraction(), this.parameters.targetFeasible);
    }
    if (hasStopsLimit) {
      penalties.stops = adjust(penalties.stops, this.stopsMemory.fraction(), this.parameters.targetFeasible);
    }
    for (const individual of this.infeasible) individual.reprice(penalties);
    this.infeasible.sort((a, b) => a.penalizedCost - b.penalizedCost);
  }

  restart(): void {
    this.feasible = [];
    this.infeasible = [];
    this.bestOfRun = null;
  }

  private pick(index: number): Individual {
    return index < this.feasible.length ? this.feasible[index]! : this.infeasible[index - this.feasible.length]!;
  }

  private averageDistanceToClosest(individual: Individual, count: number): number {
    const k = Math.min(count, individual.proximity.length);
    if (k === 0) return 0;
    let sum = 0;
    for (let i = 0; i < k; i++) sum += individual.proximity[i]!.distance;
    return sum / k;
  }

  private updateBiasedFitness(subpopulation: Individual[]): void {
    const size = subpopulation.length;
    if (size === 0) return;
    if (size === 1) {
      subpopulation[0]!.biasedFitness = 0;
      return;
    }
    const ranking = subpopulation.map((individual, index) => ({
      diversity: this.averageDistanceToClosest(individual, this.parameters.closeCount),
      index,
    }));
    // Most diverse first; ties keep cost order so that results stay reproducible.
    ranking.sort((a, b) => b.diversity - a.diversity || a.index - b.index);
    const eliteWeight = 1 - this.parameters.eliteCount / size;
    for (let rank = 0; rank < size; rank++) {
      const diversityRank = rank / (size - 1);
      const costRank = ranking[rank]!.index / (size - 1);
      subpopulation[ranking[rank]!.index]!.biasedFitness =
        size <= this.parameters.eliteCount ? costRank : costRank + eliteWeight * diversityRank;
    }
  }

  private removeWorstBiasedFitness(subpopulation: Individual[]): void {
    this.updateBiasedFitness(subpopulation);
    let worst = -1;
    let worstIsClone = false;
    let worstFitness = -Infinity;
    // Index 0 is the best by cost and is never removed.
    for (let i = 1; i < subpopulation.length; i++) {
      const individual = subpopulation[i]!;
      const isClone = this.averageDistanceToClosest(individual, 1) < 1e-6;
      if ((isClone && !worstIsClone) || (isClone === worstIsClone && individual.biasedFitness > worstFitness)) {
        worstFitness = individual.biasedFitness;
        worstIsClone = isClone;
        worst = i;
      }
    }
    const [removed] = subpopulation.splice(worst, 1);
    for (const other of subpopulation) {
      const at = other.proximity.findIndex((entry) => entry.other === removed);
      if (at >= 0) other.proximity.splice(at, 1);
    }
  }
}

function insertByDistance(list: Individual["proximity"], distance: number, other: Individual): void {
  let place = list.length;
  while (place > 0 && list[place - 1]!.distance > distance) place--;
  list.splice(place, 0, { distance, other });
}

function adjust(penalty: number, feasibleFraction: number, target: number): number {
  if (feasibleFraction < target - 0.05) return Math.min(penalty * PENALTY_INCREASE, PENALTY_MAX);
  if (feasibleFraction > target + 0.05) return Math.max(penalty * PENALTY_DECREASE, PENALTY_MIN);
  return penalty;
}
