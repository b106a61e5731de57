import { describe, expect, it } from "vitest";
import { defaultPolicy, drivesInCurfew, isoAt, minuteFrom, scheduleRoute } from "../../../src/allocation/engine/index.ts";
import { arrivalOffsets, longestCurfewFreeMinutes } from "../../../src/allocation/engine/schedule.ts";

const policy = defaultPolicy;

describe("the 02:00–05:00 coach curfew", () => {
  it("sees driving that touches the curfew on any day, but not driving that ends or starts at its edges", () => {
    expect(drivesInCurfew(60, 120, policy)).toBe(false); // 01:00–02:00
    expect(drivesInCurfew(60, 121, policy)).toBe(true);
    expect(drivesInCurfew(300, 600, policy)).toBe(false); // 05:00–10:00
    expect(drivesInCurfew(299, 600, policy)).toBe(true);
    expect(drivesInCurfew(20 * 60, 1440 + 150, policy)).toBe(true); // 20:00 – 02:30 next day
    expect(drivesInCurfew(20 * 60, 1440 + 120, policy)).toBe(false); // arrives 02:00 next day
    expect(drivesInCurfew(2 * 1440 + 100, 2 * 1440 + 130, policy)).toBe(true);
    expect(drivesInCurfew(200, 250, policy)).toBe(true); // inside
  });

  it("handles a curfew that wraps midnight", () => {
    const wrapped = { ...policy, curfew: { startMinute: 23 * 60, endMinute: 4 * 60 } };
    expect(drivesInCurfew(22 * 60, 23 * 60, wrapped)).toBe(false);
    expect(drivesInCurfew(22 * 60, 23 * 60 + 1, wrapped)).toBe(true);
    expect(drivesInCurfew(60, 120, wrapped)).toBe(true);
    expect(drivesInCurfew(240, 600, wrapped)).toBe(false);
  });

  it("has no curfew when its start equals its end", () => {
    const none = { ...policy, curfew: { startMinute: 120, endMinute: 120 } };
    expect(drivesInCurfew(0, 3 * 1440, none)).toBe(false);
    expect(scheduleRoute(22 * 60, [1500], none)!.departureMinute).toBe(22 * 60);
    expect(longestCurfewFreeMinutes(22 * 60, none)).toBe(Infinity);
  });

  it("rounds each leg up to whole minutes and adds the stop time between legs", () => {
    // 100 km at 80 km/h = 75 min; 41 km = 30.75 → 31 min; 15 min stop in between.
    expect(arrivalOffsets([100, 41], policy)).toEqual([75, 75 + 15 + 31]);
  });

  it("keeps the capacity's departure when the whole route is outside the curfew", () => {
    const s = scheduleRoute(7 * 60, [400, 200], policy)!;
    expect(s.departureMinute).toBe(420);
    expect(s.arrivals).toEqual([420 + 300, 420 + 300 + 15 + 150]);
  });

  it("moves a night departure to 05:00 when the route would run into the curfew", () => {
    // Leaving at 00:30 with 4 h of driving would drive 02:00–04:30: leave at 05:00 instead.
    const s = scheduleRoute(30, [320], policy)!;
    expect(s.departureMinute).toBe(300);
    expect(s.arrivals).toEqual([540]);
    // A short hop at 00:30 can still leave at once (arrives 01:45).
    expect(scheduleRoute(30, [100], policy)!.departureMinute).toBe(30);
  });

  it("refuses a route that cannot avoid the curfew on its date", () => {
    // Leaving at 18:00 with 1,000 km (12.5 h) would drive through 02:00; no later start that day helps.
    expect(scheduleRoute(18 * 60, [1000], policy)).toBeNull();
    // 22 hours of driving never fit between 05:00 and 02:00.
    expect(scheduleRoute(5 * 60, [1760], policy)).toBeNull();
    expect(scheduleRoute(5 * 60, [1600], policy)).not.toBeNull();
  });

  it("gives the longest curfew-free stretch for a departure", () => {
    expect(longestCurfewFreeMinutes(6 * 60, policy)).toBe(20 * 60); // 06:00 → 02:00
    expect(longestCurfewFreeMinutes(30, policy)).toBe(21 * 60); // wait to 05:00, then 21 h
    expect(longestCurfewFreeMinutes(22 * 60, policy)).toBe(4 * 60);
  });

  it("writes and reads local timestamps", () => {
    expect(isoAt("2027-01-31", 25 * 60 + 30)).toBe("2027-02-01T01:30:00+08:00");
    expect(minuteFrom("2027-01-31", "2027-02-01T01:30:00+08:00")).toBe(25 * 60 + 30);
  });
});
