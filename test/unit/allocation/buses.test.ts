import { describe, expect, it } from "vitest";
import { allocate, checkAllocation, minuteFrom } from "../../../src/allocation/engine/index.ts";
import { bus, input, many, places, policy, traveler } from "./fixtures.ts";

describe("bus routing", () => {
  it("sends full busloads direct and routes the rest over several stops", () => {
    const travelers = [...many(100, places.shangqiu), ...many(20, places.zhoukou), ...many(15, places.fuyang), ...many(10, places.bengbu)];
    const capacities = Array.from({ length: 6 }, (_, i) => bus(`b${i}`));
    const request = input({ travelers, capacities });
    const result = allocate(request);
    expect(checkAllocation(request, result)).toEqual([]);
    expect(result.unassigned).toEqual([]);
    const direct = result.vehicles.filter((v) => v.route.length === 2 && v.route[1]!.regionCode === "411400" && v.seatsUsed === 50);
    expect(direct).toHaveLength(2);
    // 145 travellers need three buses of 50; the leftover 45 share one bus with up to 4 stops.
    expect(result.vehicles).toHaveLength(3);
    expect(result.report.vehicleLowerBound).toBe(3);
    expect(result.report.vehicleGapPct).toBe(0);
    for (const v of result.vehicles) {
      expect(v.route[0]!.regionCode).toBe("320500");
      expect(v.km).toBeGreaterThan(0);
      for (let i = 1; i < v.route.length; i++) expect(v.route[i]!.km).toBeGreaterThan(v.route[i - 1]!.km);
    }
  });

  it("uses a mixed fleet to the full: each bus takes the load it can hold", () => {
    const travelers = [...many(55, places.hefei), ...many(45, places.shangqiu)];
    const capacities = [bus("small", { seats: 45 }), bus("large", { seats: 55 })];
    const request = input({ travelers, capacities });
    const result = allocate(request);
    expect(checkAllocation(request, result)).toEqual([]);
    expect(result.unassigned).toEqual([]);
    const byDestination = new Map(result.vehicles.map((v) => [v.route[1]!.regionCode, v.capacityId]));
    expect(byDestination.get("340100")).toBe("large");
    expect(byDestination.get("411400")).toBe("small");
  });

  it("respects each bus's stop limit", () => {
    const travelers = [places.hefei, places.bengbu, places.fuyang, places.shangqiu, places.zhoukou, places.xuzhou].flatMap((p) => many(5, p));
    const capacities = [bus("b1", { maxStops: 2 }), bus("b2", { maxStops: 2 }), bus("b3", { maxStops: 2 }), bus("b4", { maxStops: 2 })];
    const request = input({ travelers, capacities });
    const result = allocate(request);
    expect(checkAllocation(request, result)).toEqual([]);
    expect(result.unassigned).toEqual([]);
    expect(result.vehicles).toHaveLength(3);
    expect(result.vehicles.every((v) => v.route.length - 1 <= 2)).toBe(true);
  });

  it("gives long routes to buses with enough drivers", () => {
    // Zhengzhou is ~ 900 km by road: beyond one driver's 600 km.
    const travelers = [...many(10, places.zhengzhou), ...many(10, places.hefei)];
    const capacities = [bus("one", { drivers: 1, maxStops: 1 }), bus("two", { drivers: 2, maxStops: 1 })];
    const request = input({ travelers, capacities });
    const result = allocate(request);
    expect(checkAllocation(request, result)).toEqual([]);
    const byDestination = new Map(result.vehicles.map((v) => [v.route[1]!.regionCode, v.capacityId]));
    expect(byDestination.get("410100")).toBe("two");
    expect(byDestination.get("340100")).toBe("one");
  });

  it("reports a destination no bus can reach within its drivers' limit", () => {
    const result = allocate(input({ travelers: [traveler(places.zhengzhou)], capacities: [bus("one", { drivers: 1 })] }));
    expect(result.unassigned.map((u) => u.reason)).toEqual(["ROUTE_INFEASIBLE"]);
  });

  it("computes departures and arrivals outside 02:00–05:00", () => {
    // Leaving at 00:00 for ~ 900 km: driving must start at 05:00; arrival about 16:30.
    const request = input({ travelers: many(10, places.zhengzhou), capacities: [bus("night", { departureMinute: 0 })] });
    const result = allocate(request);
    expect(checkAllocation(request, result)).toEqual([]);
    const v = result.vehicles[0]!;
    expect(v.departureAt).toBe("2027-01-28T05:00:00+08:00");
    const arrival = minuteFrom("2027-01-28", v.route[1]!.at);
    expect(arrival).toBe(300 + Math.ceil((v.km / 80) * 60 - 1e-9));
  });

  it("leaves travellers unassigned when the only bus would have to drive through the curfew", () => {
    const result = allocate(input({ travelers: many(10, places.zhengzhou), capacities: [bus("late", { departureMinute: 20 * 60 })] }));
    expect(result.vehicles).toEqual([]);
    expect(new Set(result.unassigned.map((u) => u.reason))).toEqual(new Set(["ROUTE_INFEASIBLE"]));
  });

  it("assigns buses on days inside each traveller's window, the soonest deadlines first", () => {
    const day1 = many(50, places.hefei, { earliestDate: "2027-01-28", latestDate: "2027-01-28" });
    const flexible = many(50, places.hefei, { earliestDate: "2027-01-28", latestDate: "2027-01-29" });
    const capacities = [bus("d1"), bus("d2", { departureDate: "2027-01-29" })];
    const request = input({ travelers: [...flexible, ...day1], capacities });
    const result = allocate(request);
    expect(checkAllocation(request, result)).toEqual([]);
    expect(result.unassigned).toEqual([]);
    const on = new Map(result.assignments.map((a) => [a.travelerId, a.capacityId]));
    expect(day1.every((t) => on.get(t.id) === "d1")).toBe(true);
    expect(flexible.every((t) => on.get(t.id) === "d2")).toBe(true);
  });

  it("starts a bus at its own depot and measures its route from there", () => {
    const wujiang = { name: "吴江汽车站", regionCode: "320509", lat: 31.1386, lng: 120.6455 };
    const request = input({ travelers: many(20, places.hefei), capacities: [bus("w1", { depot: wujiang })] });
    const result = allocate(request);
    expect(checkAllocation(request, result)).toEqual([]);
    const v = result.vehicles[0]!;
    expect(v.route[0]!.name).toBe("吴江汽车站");
    expect(v.route[0]!.at).toBe("2027-01-28T07:00:00+08:00");
    const fromOrigin = allocate(input({ travelers: many(20, places.hefei), capacities: [bus("s1")] })).vehicles[0]!;
    expect(v.km).not.toBe(fromOrigin.km);
  });

  it("reports km against a lower bound", () => {
    const result = allocate(input({ travelers: many(30, places.hefei), capacities: [bus("b1")], policy: policy() }));
    expect(result.report.kmLowerBound).toBeCloseTo(result.report.roadKm, 0);
    expect(result.report.kmGapPct).toBeGreaterThanOrEqual(0);
    expect(result.report.kmGapPct).toBeLessThan(0.01);
  });
});
