import { describe, expect, it } from "vitest";
import { allocate, checkAllocation, type PreviousAssignment } from "../../../src/allocation/engine/index.ts";
import { bus, input, many, places, policy, specialTrain, stop, traveler } from "./fixtures.ts";

function asPrevious(result: ReturnType<typeof allocate>, locked: boolean): PreviousAssignment[] {
  return result.assignments.map((a) => ({ travelerId: a.travelerId, capacityId: a.capacityId, car: a.car, seat: a.seat, locked }));
}

describe("stability against the previous run", () => {
  const train = () => specialTrain("k1", [stop(places.chongqing, 1200), stop(places.chengdu, 1500)]);

  it("keeps locked seats exactly and lists only the newcomers as added", () => {
    const first = [...many(30, places.hefei), ...many(40, places.chengdu), ...many(10, places.shangqiu)];
    const capacities = [bus("b1"), bus("b2"), bus("b3"), train()];
    const before = allocate(input({ travelers: first, capacities }));
    expect(before.unassigned).toEqual([]);
    const previous = asPrevious(before, true);

    const newcomers = [...many(5, places.hefei), ...many(5, places.chengdu), ...many(3, places.zhoukou)];
    const request = input({ travelers: [...newcomers, ...first], capacities, previous });
    const after = allocate(request);
    expect(checkAllocation(request, after)).toEqual([]);
    expect(after.unassigned).toEqual([]);
    expect(after.report.keptFromPrevious).toBe(first.length);
    expect(after.diff.unchanged).toBe(first.length);
    expect(after.diff.moved).toEqual([]);
    expect(after.diff.removed).toEqual([]);
    expect(after.diff.added.sort()).toEqual(newcomers.map((t) => t.id).sort());
    const seat = (r: typeof after, id: string) => r.assignments.find((a) => a.travelerId === id);
    for (const t of first) {
      const a = seat(after, t.id)!;
      const b = seat(before, t.id)!;
      expect([a.capacityId, a.car, a.seat]).toEqual([b.capacityId, b.car, b.seat]);
    }
  });

  it("moves a locked traveller whose capacity was withdrawn or whose window no longer fits, and lists removals", () => {
    const stays = traveler(places.hefei);
    const loses = traveler(places.hefei);
    const shifts = traveler(places.hefei);
    const leaves = traveler(places.hefei);
    const previous: PreviousAssignment[] = [
      { travelerId: stays.id, capacityId: "b1", car: "", seat: "7", locked: true },
      { travelerId: loses.id, capacityId: "gone", car: "", seat: "1", locked: true },
      { travelerId: shifts.id, capacityId: "b1", car: "", seat: "8", locked: true },
      { travelerId: leaves.id, capacityId: "b1", car: "", seat: "9", locked: true },
    ];
    const moved = { ...shifts, earliestDate: "2027-01-29", latestDate: "2027-01-29" };
    const request = input({
      travelers: [stays, loses, moved],
      capacities: [bus("b1"), bus("b2", { departureDate: "2027-01-29" })],
      previous,
    });
    const result = allocate(request);
    expect(checkAllocation(request, result)).toEqual([]);
    expect(result.assignments.find((a) => a.travelerId === stays.id)).toMatchObject({ capacityId: "b1", seat: "7" });
    expect(result.assignments.find((a) => a.travelerId === moved.id)!.capacityId).toBe("b2");
    expect(result.diff.moved.map((m) => m.travelerId).sort()).toEqual([loses.id, moved.id].sort());
    expect(result.diff.removed).toEqual([leaves.id]);
    expect(result.report.keptFromPrevious).toBe(1);
  });

  it("lets unlocked travellers move and never gives a locked seat to someone else", () => {
    const a = traveler(places.hefei);
    const b = traveler(places.hefei);
    const previous: PreviousAssignment[] = [
      { travelerId: a.id, capacityId: "b1", car: "", seat: "1", locked: false },
      { travelerId: b.id, capacityId: "b1", car: "", seat: "1", locked: true },
    ];
    const request = input({ travelers: [a, b], capacities: [bus("b1")], previous });
    const result = allocate(request);
    expect(checkAllocation(request, result)).toEqual([]);
    expect(result.assignments.find((x) => x.travelerId === b.id)!.seat).toBe("1");
    expect(result.assignments.find((x) => x.travelerId === a.id)!.seat).not.toBe("1");
  });

  it("keeps a locked train seat and seats the locked traveller's group beside it", () => {
    const group = many(3, places.chengdu, { groupTag: "brothers" });
    const previous: PreviousAssignment[] = [{ travelerId: group[0]!.id, capacityId: "k1", car: "02", seat: "50", locked: true }];
    const request = input({ travelers: [...many(10, places.chengdu), ...group], capacities: [train()], previous });
    const result = allocate(request);
    expect(checkAllocation(request, result)).toEqual([]);
    expect(result.assignments.find((x) => x.travelerId === group[0]!.id)).toMatchObject({ car: "02", seat: "50" });
    expect(new Set(result.assignments.filter((x) => group.some((g) => g.id === x.travelerId)).map((x) => x.capacityId))).toEqual(new Set(["k1"]));
  });
});

describe("a bus holding locked travellers takes others in its free seats", () => {
  const window = { earliestDate: "2027-01-26", latestDate: "2027-01-30" };
  const coach = (overrides: Parameters<typeof bus>[1] = {}) =>
    bus("bus", { seats: 49, drivers: 3, maxStops: 3, seatsPerRow: 4, departureMinute: 480, ...overrides });
  const lockedOn = (travelers: { id: string }[], firstSeat = 1): PreviousAssignment[] =>
    travelers.map((t, i) => ({ travelerId: t.id, capacityId: "bus", car: "", seat: String(firstSeat + i), locked: true }));
  const stopsOf = (result: ReturnType<typeof allocate>) => result.vehicles.find((v) => v.capacityId === "bus")!.route.slice(1).map((s) => s.regionCode);

  it("extends the route of a bus with locked seats to the other travellers' stops (the 29-on-49 repro)", () => {
    const fuyang = many(20, places.fuyang, window);
    const hefei = many(9, places.hefei, window);
    const travelers = [...fuyang, ...hefei];
    const first = allocate(input({ travelers, capacities: [coach()] }));
    expect(first.assignments).toHaveLength(29);
    const previous = asPrevious(first, false).map((p) => ({ ...p, locked: fuyang.some((t) => t.id === p.travelerId) }));

    const request = input({ travelers, capacities: [coach()], previous });
    const second = allocate(request);
    expect(checkAllocation(request, second)).toEqual([]);
    expect(second.unassigned).toEqual([]);
    expect(second.assignments).toHaveLength(29);
    expect(second.report.keptFromPrevious).toBe(20);
    for (const t of fuyang) {
      const before = first.assignments.find((a) => a.travelerId === t.id)!;
      expect(second.assignments.find((a) => a.travelerId === t.id)).toMatchObject({ capacityId: "bus", car: before.car, seat: before.seat });
    }
    expect(new Set(second.assignments.map((a) => `${a.car}/${a.seat}`)).size).toBe(29);
    expect(new Set(stopsOf(second))).toEqual(new Set(["341200", "340100"]));
  });

  it("seats newcomers of a later run beside locked travellers, inserting their stop", () => {
    const fuyang = many(20, places.fuyang, window);
    const newcomers = [...many(9, places.hefei, window), ...many(4, places.bengbu, window)];
    const request = input({ travelers: [...newcomers, ...fuyang], capacities: [coach()], previous: lockedOn(fuyang) });
    const result = allocate(request);
    expect(checkAllocation(request, result)).toEqual([]);
    expect(result.unassigned).toEqual([]);
    expect(result.diff.added.sort()).toEqual(newcomers.map((t) => t.id).sort());
    fuyang.forEach((t, i) => expect(result.assignments.find((a) => a.travelerId === t.id)!.seat).toBe(String(i + 1)));
    const stops = stopsOf(result);
    expect(new Set(stops)).toEqual(new Set(["341200", "340100", "340300"]));
    // Fuyang is the farthest: the nearer stops are inserted before it.
    expect(stops[stops.length - 1]).toBe("341200");
  });

  it("does not extend the route beyond the bus's stop limit", () => {
    const fuyang = many(20, places.fuyang, window);
    const hefei = many(9, places.hefei, window);
    const request = input({ travelers: [...fuyang, ...hefei], capacities: [coach({ maxStops: 1 })], previous: lockedOn(fuyang) });
    const result = allocate(request);
    expect(checkAllocation(request, result)).toEqual([]);
    expect(stopsOf(result)).toEqual(["341200"]);
    expect(result.assignments.map((a) => a.travelerId).sort()).toEqual(fuyang.map((t) => t.id).sort());
    expect(result.unassigned.map((u) => u.travelerId).sort()).toEqual(hefei.map((t) => t.id).sort());
  });

  it("does not extend the route beyond the drivers' km", () => {
    // One driver may drive 700 km here: Suzhou → Hefei (420) → Bengbu (160) fits, Xuzhou (345 from Hefei) does not.
    const hefei = many(10, places.hefei, window);
    const bengbu = many(5, places.bengbu, window);
    const xuzhou = many(5, places.xuzhou, window);
    const request = input({
      travelers: [...hefei, ...bengbu, ...xuzhou],
      capacities: [coach({ drivers: 1 })],
      previous: lockedOn(hefei),
      policy: policy({ maxKmByDrivers: [0, 700, 1300] }),
    });
    const result = allocate(request);
    expect(checkAllocation(request, result)).toEqual([]);
    expect(new Set(stopsOf(result))).toEqual(new Set(["340100", "340300"]));
    expect(result.vehicles[0]!.km).toBeLessThanOrEqual(700);
    expect(result.unassigned.map((u) => u.travelerId).sort()).toEqual(xuzhou.map((t) => t.id).sort());
    hefei.forEach((t, i) => expect(result.assignments.find((a) => a.travelerId === t.id)!.seat).toBe(String(i + 1)));
  });

  it("does not extend the route into the 02:00–05:00 curfew", () => {
    // Leaving at 20:00, Hefei is reached about 01:15; Fuyang, before or after it, only in the curfew.
    const hefei = many(10, places.hefei, window);
    const moreHefei = many(3, places.hefei, window);
    const fuyang = many(5, places.fuyang, window);
    const request = input({ travelers: [...hefei, ...moreHefei, ...fuyang], capacities: [coach({ departureMinute: 20 * 60 })], previous: lockedOn(hefei) });
    const result = allocate(request);
    expect(checkAllocation(request, result)).toEqual([]);
    expect(stopsOf(result)).toEqual(["340100"]);
    expect(result.unassigned.map((u) => u.travelerId).sort()).toEqual(fuyang.map((t) => t.id).sort());
    expect(result.assignments).toHaveLength(13);
  });
});
