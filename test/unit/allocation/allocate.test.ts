import { describe, expect, it } from "vitest";
import { allocate, checkAllocation } from "../../../src/allocation/engine/index.ts";
import { bus, flight, groupTicket, input, many, places, specialTrain, stop } from "./fixtures.ts";

describe("allocate end to end", () => {
  it("seats everyone on buses, a train, group tickets and a flight", () => {
    const travelers = [
      ...many(120, places.hefei),
      ...many(30, places.shangqiu),
      ...many(12, places.zhoukou),
      ...many(150, places.chengdu),
      ...many(25, places.chongqing),
      ...many(10, places.urumqi),
    ];
    const capacities = [
      bus("b1"), bus("b2"), bus("b3"), bus("b4"), bus("b5"),
      specialTrain("k1", [stop(places.chongqing, 1200), stop(places.chengdu, 1500)], { cars: [{ car: "01", type: "YZ", seats: 118 }, { car: "02", type: "YZ", seats: 118 }] }),
      groupTicket("g1", stop(places.chongqing, 1200), 40),
      flight("f1", stop(places.urumqi, 300), 20),
    ];
    const request = input({ travelers, capacities });
    const result = allocate(request);
    expect(checkAllocation(request, result)).toEqual([]);
    expect(result.unassigned).toEqual([]);
    expect(result.report).toMatchObject({ travelers: 347, assigned: 347, unassigned: 0, keptFromPrevious: 0 });
    expect(result.report.vehiclesByMode.BUS).toBe(4);
    expect(result.report.vehicleLowerBound).toBeLessThanOrEqual(result.vehicles.length);
    expect(result.diff.added).toHaveLength(347);
    // Every bus leaves from Suzhou and each stop's arrival follows the one before.
    for (const v of result.vehicles.filter((x) => x.mode === "BUS")) {
      expect(v.route[0]!.regionCode).toBe("320500");
      for (let i = 1; i < v.route.length; i++) expect(v.route[i]!.at > v.route[i - 1]!.at).toBe(true);
    }
  });
});
