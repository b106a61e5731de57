import { describe, expect, it } from "vitest";
import { allocate, checkAllocation } from "../../../src/allocation/engine/index.ts";
import { bus, flight, groupTicket, input, many, places, policy, specialTrain, stop, suzhou, traveler } from "./fixtures.ts";

describe("rail, boats and flights", () => {
  it("drops each traveller at the served station nearest their destination, within the onward limit", () => {
    const travelers = [traveler(places.deyang), traveler(places.chengdu), traveler(places.chongqing), traveler(places.guiyang)];
    const train = specialTrain("k1", [stop(places.chongqing, 1200), stop(places.chengdu, 1500)]);
    const request = input({ travelers, capacities: [train] });
    const result = allocate(request);
    expect(checkAllocation(request, result)).toEqual([]);
    const byTraveler = new Map(result.assignments.map((a) => [a.travelerId, a]));
    expect(byTraveler.get(travelers[0]!.id)).toMatchObject({ dropRegionCode: "510100", dropStop: 2 });
    expect(byTraveler.get(travelers[0]!.id)!.onwardKm).toBeGreaterThan(50);
    expect(byTraveler.get(travelers[1]!.id)).toMatchObject({ dropRegionCode: "510100", onwardKm: 0 });
    expect(byTraveler.get(travelers[2]!.id)).toMatchObject({ dropRegionCode: "500000", dropStop: 1 });
    expect(result.unassigned).toEqual([expect.objectContaining({ travelerId: travelers[3]!.id, reason: "DESTINATION_TOO_FAR_FROM_STATION" })]);
    const vehicle = result.vehicles[0]!;
    expect(vehicle.route.map((s) => s.regionCode)).toEqual(["320500", "500000", "510100"]);
    expect(vehicle.route[1]!.at).toBe("2027-01-29T05:00:00+08:00");
  });

  it("fills cars seat by seat, groups in adjacent seats, stations in order", () => {
    const group = many(4, places.chengdu, { groupTag: "family" });
    const travelers = [...many(3, places.chengdu), ...group, ...many(2, places.chongqing)];
    const train = specialTrain("k1", [stop(places.chongqing, 1200), stop(places.chengdu, 1500)], {
      cars: [
        { car: "01", type: "YZ", seats: 5, seatsPerRow: 5 },
        { car: "02", type: "YZ", seats: 10, seatsPerRow: 5 },
      ],
    });
    const request = input({ travelers, capacities: [train] });
    const result = allocate(request);
    expect(checkAllocation(request, result)).toEqual([]);
    expect(result.unassigned).toEqual([]);
    const seatOf = new Map(result.assignments.map((a) => [a.travelerId, `${a.car}/${a.seat}`]));
    const groupSeats = group.map((t) => seatOf.get(t.id)!);
    expect(new Set(groupSeats.map((s) => s.split("/")[0])).size).toBe(1);
    const numbers = groupSeats.map((s) => Number(s.split("/")[1])).sort((a, b) => a - b);
    expect(numbers[3]! - numbers[0]!).toBe(3);
    // Chongqing (the first stop) is seated first.
    expect(result.assignments.slice(0, 2).every((a) => a.dropRegionCode === "500000")).toBe(true);
    expect(result.vehicles[0]!.seatsUsed).toBe(9);
    expect(result.vehicles[0]!.seatsTotal).toBe(15);
  });

  it("uses a group-ticket quota only for batches of at least 20 on the same train and destination", () => {
    const few = many(12, places.chongqing);
    const request = input({ travelers: few, capacities: [groupTicket("g1", stop(places.chongqing, 1200), 50)] });
    const result = allocate(request);
    expect(checkAllocation(request, result)).toEqual([]);
    expect(result.assignments).toEqual([]);
    expect(new Set(result.unassigned.map((u) => u.reason))).toEqual(new Set(["BELOW_GROUP_TICKET_MINIMUM"]));

    const enough = many(23, places.chongqing);
    const request2 = input({ travelers: enough, capacities: [groupTicket("g1", stop(places.chongqing, 1200), 50)] });
    const result2 = allocate(request2);
    expect(checkAllocation(request2, result2)).toEqual([]);
    expect(result2.assignments).toHaveLength(23);
    expect(result2.assignments.map((a) => a.seat)).toEqual(Array.from({ length: 23 }, (_, i) => String(i + 1)));
  });

  it("fills destination-specific quotas before flexible train seats, so nobody is left out", () => {
    const chongqing = many(25, places.chongqing);
    const chengdu = many(30, places.chengdu);
    const carriage = specialTrain("k1", [stop(places.chongqing, 1200), stop(places.chengdu, 1500)], {
      mode: "RESERVED_CARRIAGE",
      cars: [{ car: "07", type: "YZ", seats: 30 }],
    });
    const request = input({ travelers: [...chongqing, ...chengdu], capacities: [carriage, groupTicket("g1", stop(places.chongqing, 1200), 25)] });
    const result = allocate(request);
    expect(checkAllocation(request, result)).toEqual([]);
    expect(result.unassigned).toEqual([]);
    const on = new Map(result.assignments.map((a) => [a.travelerId, a.capacityId]));
    expect(chongqing.every((t) => on.get(t.id) === "g1")).toBe(true);
    expect(chengdu.every((t) => on.get(t.id) === "k1")).toBe(true);
  });

  it("concentrates travellers on one quota rather than two batches below the minimum", () => {
    const travelers = [
      ...many(15, places.chongqing, { earliestDate: "2027-01-28", latestDate: "2027-01-29" }),
      ...many(15, places.chongqing, { earliestDate: "2027-01-28", latestDate: "2027-01-29" }),
    ];
    const capacities = [
      groupTicket("g1", stop(places.chongqing, 1200), 40),
      groupTicket("g2", stop(places.chongqing, 1200), 40, { departureDate: "2027-01-29" }),
    ];
    const request = input({ travelers, capacities });
    const result = allocate(request);
    expect(checkAllocation(request, result)).toEqual([]);
    expect(result.unassigned).toEqual([]);
    expect(new Set(result.assignments.map((a) => a.capacityId)).size).toBe(1);
  });

  it("seats flights in rows and boards quota travellers at the quota's station", () => {
    const shanghai = { name: "上海", regionCode: "310000", lat: 31.2304, lng: 121.4737 };
    const request = input({
      travelers: [...many(3, places.urumqi, { groupTag: "trio" }), ...many(20, places.chongqing)],
      capacities: [flight("f1", stop(places.urumqi, 300), 12), groupTicket("g1", stop(places.chongqing, 1100), 20, { from: shanghai })],
      policy: policy(),
    });
    const result = allocate(request);
    expect(checkAllocation(request, result)).toEqual([]);
    expect(result.unassigned).toEqual([]);
    const plane = result.assignments.filter((a) => a.capacityId === "f1").map((a) => a.seat);
    expect(plane).toEqual(["1", "2", "3"]);
    expect(result.vehicles.find((v) => v.capacityId === "g1")!.route[0]!.regionCode).toBe("310000");
    expect(result.vehicles.find((v) => v.capacityId === "f1")!.route[0]!.regionCode).toBe(suzhou.regionCode);
  });

  it("keeps a group together and reports a group too large for any vehicle", () => {
    const big = many(60, places.hefei, { groupTag: "factory" });
    const pair = many(2, places.hefei, { groupTag: "pair" });
    const request = input({ travelers: [...big, ...pair], capacities: [bus("b1"), bus("b2")] });
    const result = allocate(request);
    expect(checkAllocation(request, result)).toEqual([]);
    expect(result.unassigned).toHaveLength(60);
    expect(new Set(result.unassigned.map((u) => u.reason))).toEqual(new Set(["GROUP_TOO_LARGE"]));
    expect(new Set(result.assignments.map((a) => a.capacityId)).size).toBe(1);
  });
});
