import type { SeededRandom } from "./random.ts";

/**
 * Ordered crossover (OX) on giant tours: a random circular slice of the first parent is kept
 * in place, the remaining customers follow in the order of the second parent.
 */
export class OrderedCrossover {
  private readonly taken: Uint8Array;

  constructor(customers: number) {
    this.taken = new Uint8Array(customers + 1);
  }

  cross(first: Int32Array, second: Int32Array, child: Int32Array, random: SeededRandom): void {
    const size = first.length;
    const taken = this.taken;
    taken.fill(0);
    const start = random.nextInt(size);
    let end = random.nextInt(size);
    while (end === start) end = random.nextInt(size);
    let j = start;
    while (j % size !== (end + 1) % size) {
      const c = first[j % size]!;
      child[j % size] = c;
      taken[c] = 1;
      j++;
    }
    for (let i = 1; i <= size; i++) {
      const c = second[(end + i) % size]!;
      if (taken[c] === 0) {
        child[j % size] = c;
        j++;
      }
    }
  }
}
