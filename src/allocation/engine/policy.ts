import type { AllocationPolicy } from "./types.ts";

/** The policy the city union starts from; every field can be overridden per run. */
export const defaultPolicy: AllocationPolicy = Object.freeze({
  busMaxKm: 1000,
  airMinKm: 2500,
  detourFactor: 1.3,
  maxOnwardKm: 150,
  busSpeedKmh: 80,
  stopMinutes: 15,
  // One driver up to 600 km, two up to 1,300 km, three up to 1,900 km; no drivers, no bus.
  maxKmByDrivers: [0, 600, 1300, 1900],
  curfew: { startMinute: 120, endMinute: 300 },
  minGroupTicketBatch: 20,
  routingBudgetMs: 1000,
  seed: 1,
}) as AllocationPolicy;

/** Completes a partial policy with the defaults. */
export function resolvePolicy(policy?: Partial<AllocationPolicy>): AllocationPolicy {
  return { ...defaultPolicy, ...(policy ?? {}) };
}

/** Driving km allowed for a bus with this many drivers (the last entry applies beyond the table). */
export function maxKmForDrivers(policy: AllocationPolicy, drivers: number): number {
  const table = policy.maxKmByDrivers;
  if (table.length === 0 || drivers <= 0) return 0;
  return table[Math.min(Math.floor(drivers), table.length - 1)] ?? 0;
}
