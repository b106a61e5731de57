import { describe, expect, it } from "vitest";
import { rowsSpanned, SeatBook } from "../../../src/allocation/engine/seats.ts";

describe("seat books", () => {
  it("numbers seats from 1 per car and never gives a seat twice", () => {
    const book = new SeatBook([
      { car: "05", seats: 3 },
      { car: "06", seats: 2 },
    ]);
    const got = [book.allocate(2)!, book.allocate(2)!, book.allocate(1)!].flat();
    expect(got.map((s) => `${s.car}/${s.seat}`).sort()).toEqual(["05/1", "05/2", "05/3", "06/1", "06/2"]);
    expect(book.allocate(1)).toBeNull();
    expect(book.freeSeats).toBe(0);
  });

  it("puts a group in consecutive seats spanning as few rows as possible", () => {
    const book = new SeatBook([{ car: "", seats: 16, seatsPerRow: 4 }]);
    expect(book.allocate(1)!.map((s) => s.seat)).toEqual(["1"]);
    // Four people would fit in seats 2–5 but span two rows; row 2 (seats 5–8) holds them in one.
    expect(book.allocate(4)!.map((s) => s.seat)).toEqual(["5", "6", "7", "8"]);
    expect(book.allocate(3)!.map((s) => s.seat)).toEqual(["2", "3", "4"]);
    expect(rowsSpanned(4, 4, 4)).toBe(1);
    expect(rowsSpanned(1, 4, 4)).toBe(2);
  });

  it("keeps a group in one car when one has room, else spreads it", () => {
    const book = new SeatBook([
      { car: "01", seats: 4 },
      { car: "02", seats: 4 },
    ]);
    book.takeExact("01", "2");
    book.takeExact("02", "3");
    expect(book.allocate(2)!.map((s) => `${s.car}/${s.seat}`)).toEqual(["01/3", "01/4"]);
    const spread = book.allocate(4)!.map((s) => `${s.car}/${s.seat}`);
    expect(new Set(spread).size).toBe(4);
    expect(spread.sort()).toEqual(["01/1", "02/1", "02/2", "02/4"]);
  });

  it("takes exact seats only when they exist and are free", () => {
    const book = new SeatBook([{ car: "", seats: 2 }]);
    expect(book.takeExact("", "2")).toBe(true);
    expect(book.takeExact("", "2")).toBe(false);
    expect(book.takeExact("", "3")).toBe(false);
    expect(book.takeExact("01", "1")).toBe(false);
    expect(book.takeExact("", "0")).toBe(false);
    book.release("", "2");
    expect(book.takeExact("", "2")).toBe(true);
  });
});
