// Seat books: which seats of a vehicle are taken, and contiguous runs for groups.

export interface SeatRef {
  car: string;
  seat: string;
}

interface CarBook {
  car: string;
  seatsPerRow: number;
  taken: Uint8Array;
  free: number;
}

export class SeatBook {
  private readonly cars: CarBook[];
  private readonly byCar = new Map<string, CarBook>();
  freeSeats = 0;

  constructor(cars: { car: string; seats: number; seatsPerRow?: number }[]) {
    this.cars = cars.map((c) => ({
      car: c.car,
      seatsPerRow: c.seatsPerRow && c.seatsPerRow > 0 ? Math.floor(c.seatsPerRow) : 0,
      taken: new Uint8Array(Math.max(0, Math.floor(c.seats))),
      free: Math.max(0, Math.floor(c.seats)),
    }));
    for (const c of this.cars) {
      this.byCar.set(c.car, c);
      this.freeSeats += c.free;
    }
  }

  get totalSeats(): number {
    let total = 0;
    for (const c of this.cars) total += c.taken.length;
    return total;
  }

  get largestCar(): number {
    let best = 0;
    for (const c of this.cars) best = Math.max(best, c.taken.length);
    return best;
  }

  /** Takes one named seat (a kept assignment); false if it does not exist or is taken. */
  takeExact(car: string, seat: string): boolean {
    const book = this.byCar.get(car);
    if (!book || !/^[1-9]\d*$/.test(seat)) return false;
    const index = Number(seat) - 1;
    if (index >= book.taken.length || book.taken[index] === 1) return false;
    book.taken[index] = 1;
    book.free--;
    this.freeSeats--;
    return true;
  }

  release(car: string, seat: string): void {
    const book = this.byCar.get(car);
    if (!book) return;
    const index = Number(seat) - 1;
    if (book.taken[index] !== 1) return;
    book.taken[index] = 0;
    book.free++;
    this.freeSeats++;
  }

  /**
   * `count` seats for one party: consecutive seats in as few rows as possible in one car when that
   * exists, else consecutive seats in one car, else any seats of one car, else any seats; null when
   * fewer than `count` seats are free.
   */
  allocate(count: number): SeatRef[] | null {
    if (count <= 0) return [];
    if (count > this.freeSeats) return null;
    for (const strict of [true, false]) {
      for (const book of this.cars) {
        if (book.free < count) continue;
        const start = findRun(book, count, strict);
        if (start >= 0) return this.takeRange(book, start, count);
      }
    }
    for (const book of this.cars) {
      if (book.free >= count) return this.takeAny([book], count);
    }
    return this.takeAny(this.cars, count);
  }

  private takeRange(book: CarBook, start: number, count: number): SeatRef[] {
    const out: SeatRef[] = [];
    for (let i = start; i < start + count; i++) {
      book.taken[i] = 1;
      out.push({ car: book.car, seat: String(i + 1) });
    }
    book.free -= count;
    this.freeSeats -= count;
    return out;
  }

  private takeAny(books: CarBook[], count: number): SeatRef[] {
    const out: SeatRef[] = [];
    for (const book of books) {
      for (let i = 0; i < book.taken.length && out.length < count; i++) {
        if (book.taken[i] === 0) {
          book.taken[i] = 1;
          book.free--;
          this.freeSeats--;
          out.push({ car: book.car, seat: String(i + 1) });
        }
      }
    }
    return out;
  }
}

/** Rows a run of seats [start, start+count) spans with `perRow` seats per row. */
export function rowsSpanned(start: number, count: number, perRow: number): number {
  if (perRow <= 0 || count <= 0) return 1;
  return Math.floor((start + count - 1) / perRow) - Math.floor(start / perRow) + 1;
}

/** First free run of `count` seats; when strict and rows are known, one spanning the fewest rows. */
function findRun(book: CarBook, count: number, strict: boolean): number {
  const seats = book.taken;
  const perRow = book.seatsPerRow;
  const minRows = perRow > 0 ? Math.ceil(count / perRow) : 1;
  let runLength = 0;
  for (let i = 0; i < seats.length; i++) {
    if (seats[i] === 1) {
      runLength = 0;
      continue;
    }
    runLength++;
    if (runLength >= count) {
      const start = i - count + 1;
      if (!strict || perRow <= 0 || rowsSpanned(start, count, perRow) === minRows) return start;
    }
  }
  return -1;
}
