/** Fewest vehicles any solution needs by capacity alone: ceil(total demand / capacity). */
export function vehicleLowerBound(demand: ArrayLike<number>, capacity: number): number {
  let total = 0;
  for (let i = 1; i < demand.length; i++) total += demand[i]!;
  return Math.ceil(total / capacity - 1e-9);
}
