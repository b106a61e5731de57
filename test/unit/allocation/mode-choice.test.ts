import { describe, expect, it } from "vitest";
import { allocate, checkAllocation } from "../../../src/allocation/engine/index.ts";
import { familyOrder } from "../../../src/allocation/engine/parties.ts";
import { bus, flight, groupTicket, input, many, places, policy, specialTrain, stop, traveler } from "./fixtures.ts";

describe("mode choice", () => {
  const p = policy();

  it("orders families by road distance: bus, rail, air", () => {
    expect(familyOrder(999, null, p, true)).toEqual(["BUS", "STATION", "AIR"]);
    expect(familyOrder(1000, null, p, true)).toEqual(["STATION", "AIR", "BUS"]);
    expect(familyOrder(2501, null, p, true)).toEqual(["AIR", "STATION", "BUS"]);
    // Air only when flight capacity exists at all.
    expect(familyOrder(2501, null, p, false)).toEqual(["STATION", "AIR", "BUS"]);
  });

  it("puts the preferred mode's family first", () => {
    expect(familyOrder(300, "GROUP_TICKET", p, true)).toEqual(["STATION", "BUS", "AIR"]);
    expect(familyOrder(2600, "BUS", p, true)).toEqual(["BUS", "AIR", "STATION"]);
  });

  it("uses the distance table over the great-circle estimate", () => {
    const near = traveler(places.chengdu);
    const capacities = [bus("b1", { drivers: 3 }), specialTrain("k1", [stop(places.chengdu, 1500)])];
    const byTable = allocate(input({ travelers: [near], capacities, policy: policy({ distanceTable: { "510100": 900 }, busMaxKm: 1000 }) }));
    expect(byTable.assignments[0]!.capacityId).toBe("b1");
    const byEstimate = allocate(input({ travelers: [near], capacities }));
    expect(byEstimate.assignments[0]!.capacityId).toBe("k1");
  });

  it("sends near travellers by bus, far ones by train and the farthest by air", () => {
    const travelers = [traveler(places.hefei), traveler(places.chengdu), traveler(places.urumqi)];
    const capacities = [
      bus("b1"),
      specialTrain("k1", [stop(places.chengdu, 1500)]),
      flight("f1", stop(places.urumqi, 300), 10),
      flight("f2", stop(places.chengdu, 180), 10),
    ];
    const request = input({ travelers, capacities });
    const result = allocate(request);
    expect(checkAllocation(request, result)).toEqual([]);
    const on = new Map(result.assignments.map((a) => [a.travelerId, a.capacityId]));
    expect([on.get(travelers[0]!.id), on.get(travelers[1]!.id), on.get(travelers[2]!.id)]).toEqual(["b1", "k1", "f1"]);
  });

  it("honours a preference where capacity allows, and falls back and reports it when full", () => {
    const wantsTrain = many(3, places.hefei, { preference: "GROUP_TICKET" });
    const fans = many(25, places.hefei, { preference: "GROUP_TICKET" });
    const request = input({
      travelers: [...wantsTrain, ...fans],
      capacities: [bus("b1"), groupTicket("g1", stop(places.hefei, 120), 25)],
    });
    const result = allocate(request);
    expect(checkAllocation(request, result)).toEqual([]);
    expect(result.unassigned).toEqual([]);
    const modes = result.assignments.map((a) => a.capacityId);
    expect(modes.filter((m) => m === "g1")).toHaveLength(25);
    expect(modes.filter((m) => m === "b1")).toHaveLength(3);
    expect(result.report.preferencesHonoured).toBe(25);
    expect(result.report.preferencesNotHonoured).toBe(3);
    expect(result.report.modeFallbacks).toEqual({ "STATION→BUS": 3 });
  });

  it("falls back from a full bus fleet to rail and says so", () => {
    const travelers = many(60, places.hefei);
    const request = input({ travelers, capacities: [bus("b1"), specialTrain("k1", [stop(places.hefei, 200)])] });
    const result = allocate(request);
    expect(checkAllocation(request, result)).toEqual([]);
    expect(result.unassigned).toEqual([]);
    expect(result.report.vehiclesByMode).toEqual({ BUS: 1, SPECIAL_TRAIN: 1 });
    expect(result.report.modeFallbacks).toEqual({ "BUS→SPECIAL_TRAIN": 10 });
  });

  it("gives every unassigned traveller a reason", () => {
    const result = allocate(
      input({
        travelers: [
          traveler(places.hefei, { earliestDate: "2027-02-01", latestDate: "2027-02-02" }),
          traveler(places.kunming),
          traveler(places.hefei, { earliestDate: "2027-01-29", latestDate: "2027-01-28" }),
        ],
        capacities: [bus("b1"), specialTrain("k1", [stop(places.chengdu, 1500)])],
      }),
    );
    expect(result.assignments).toEqual([]);
    expect(result.unassigned.map((u) => u.reason)).toEqual(["NO_CAPACITY_IN_WINDOW", "DESTINATION_TOO_FAR_FROM_STATION", "NO_CAPACITY_IN_WINDOW"]);
    expect(result.unassigned.every((u) => u.detail.length > 0)).toBe(true);
  });

  it("reports no capacity, not a group too large, when there is no capacity at all", () => {
    const solo = [traveler(places.hefei), traveler(places.chengdu), traveler(places.urumqi, { groupTag: "  " })];
    const group = many(3, places.hefei, { groupTag: "family" });
    const result = allocate(input({ travelers: [...solo, ...group], capacities: [] }));
    expect(result.assignments).toEqual([]);
    expect(result.unassigned.map((u) => u.reason)).toEqual(Array(6).fill("NO_CAPACITY_FOR_MODE"));
    expect(result.unassigned.every((u) => u.detail.length > 0)).toBe(true);
    // A bus without seats is no capacity either.
    const seatless = allocate(input({ travelers: [traveler(places.hefei)], capacities: [bus("b0", { seats: 0 })] }));
    expect(seatless.unassigned.map((u) => u.reason)).toEqual(["NO_CAPACITY_FOR_MODE"]);
  });

  it("reports no capacity in the window for travellers without a group tag when capacity runs on other days only", () => {
    const travelers = [traveler(places.hefei, { earliestDate: "2027-01-30", latestDate: "2027-01-31" }), traveler(places.fuyang, { groupTag: null, earliestDate: "2027-01-30", latestDate: "2027-01-30" })];
    const result = allocate(input({ travelers, capacities: [bus("b1", { seats: 1 })] }));
    expect(result.unassigned.map((u) => u.reason)).toEqual(["NO_CAPACITY_IN_WINDOW", "NO_CAPACITY_IN_WINDOW"]);
  });

  it("still reports a group larger than any vehicle as too large", () => {
    const group = many(4, places.hefei, { groupTag: "crew" });
    const result = allocate(input({ travelers: group, capacities: [bus("b1", { seats: 3 })] }));
    expect(result.unassigned.map((u) => u.reason)).toEqual(Array(4).fill("GROUP_TOO_LARGE"));
  });
});
