// allocateAsync is the same engine as allocate, driven in steps that hand the event loop back:
// same result for the same input and seed, progress that only goes up and ends at 100.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { allocate, allocateAsync, checkAllocation, type AllocationInput, type AllocationResult, type EngineCapacity, type GeoPoint } from "../../../src/allocation/engine/index.ts";
import { bus, flight, groupTicket, places, policy, specialTrain, stop, suzhou } from "./fixtures.ts";

const DAYS = ["2027-01-27", "2027-01-28", "2027-01-29", "2027-01-30"];
const NEAR: GeoPoint[] = [places.hefei, places.bengbu, places.fuyang, places.shangqiu, places.zhoukou, places.zhengzhou, places.xinyang, places.xuzhou, places.nanchang];
const FAR: GeoPoint[] = [places.chengdu, places.deyang, places.chongqing, places.guiyang, places.kunming];
const ALL = [...NEAR, ...FAR];
const otherDepot: GeoPoint = { name: "昆山", regionCode: "320583", lat: 31.3856, lng: 120.9807 };

/**
 * Several departure days of buses from two depots, a train, a quota and a flight, groups and
 * windows; the routing budget is far above what these sizes need, so the search ends on its
 * iteration limit and the result does not depend on the machine's speed.
 */
const instanceArb = fc
  .record({
    travelers: fc.array(
      fc.record({
        place: fc.integer({ min: 0, max: ALL.length - 1 }),
        org: fc.integer({ min: 1, max: 2 }),
        group: fc.option(fc.integer({ min: 1, max: 4 }), { nil: null, freq: 3 }),
        earliest: fc.integer({ min: 0, max: DAYS.length - 1 }),
        width: fc.integer({ min: 0, max: 2 }),
      }),
      { minLength: 20, maxLength: 90 },
    ),
    buses: fc.array(
      fc.record({ day: fc.integer({ min: 0, max: DAYS.length - 1 }), seats: fc.integer({ min: 10, max: 50 }), depot: fc.boolean(), minute: fc.integer({ min: 300, max: 1200 }) }),
      { minLength: 2, maxLength: 8 },
    ),
    seed: fc.integer({ min: 1, max: 1000 }),
    lockShare: fc.double({ min: 0, max: 1, noNaN: true }),
  })
  .map(({ travelers, buses, seed, lockShare }) => {
    const capacities: EngineCapacity[] = [
      ...buses.map((b, i) =>
        bus(`b${i}`, { departureDate: DAYS[b.day]!, departureMinute: b.minute, seats: b.seats, ...(b.depot ? { depot: otherDepot } : {}) }),
      ),
      specialTrain("k1", [stop(places.chongqing, 1200), stop(places.chengdu, 1500)], { departureDate: DAYS[1]! }),
      groupTicket("q1", stop(places.zhengzhou, 300), 25, { departureDate: DAYS[2]! }),
      flight("f1", stop(places.kunming, 240), 12, { departureDate: DAYS[0]! }),
    ];
    const input: AllocationInput = {
      origin: suzhou,
      travelers: travelers.map((t, i) => ({
        id: `t${i}`,
        orgId: `org${t.org}`,
        destination: ALL[t.place]!,
        earliestDate: DAYS[t.earliest]!,
        latestDate: DAYS[Math.min(DAYS.length - 1, t.earliest + t.width)]!,
        groupTag: t.group === null ? null : `g${t.group}`,
      })),
      capacities,
      policy: policy({ routingBudgetMs: 60_000, seed }),
    };
    return { input, lockShare };
  });

/** The result without the one field that measures time. */
function comparable(result: AllocationResult) {
  return { ...result, report: { ...result.report, elapsedMs: 0 } };
}

async function both(input: AllocationInput) {
  const syncProgress: number[] = [];
  const asyncProgress: number[] = [];
  const sync = allocate({ ...input, onProgress: (p) => syncProgress.push(p) });
  const async = await allocateAsync({ ...input, onProgress: (p) => asyncProgress.push(p) });
  return { sync, async, syncProgress, asyncProgress };
}

function expectProgress(progress: number[]) {
  expect(progress[0]).toBe(0);
  expect(progress[progress.length - 1]).toBe(100);
  for (let i = 1; i < progress.length; i++) expect(progress[i]).toBeGreaterThan(progress[i - 1]!);
}

describe("allocateAsync", () => {
  it("gives the same result as allocate on generated instances, with the same increasing progress", async () => {
    await fc.assert(
      fc.asyncProperty(instanceArb, async ({ input, lockShare }) => {
        const first = await both(input);
        expect(checkAllocation(input, first.async)).toEqual([]);
        expect(comparable(first.async)).toEqual(comparable(first.sync));
        expectProgress(first.asyncProgress);
        expect(first.asyncProgress).toEqual(first.syncProgress);
        // Buses on several days: a step per day and depot, so progress moves in between.
        if (input.travelers.some((t) => NEAR.includes(t.destination))) expect(first.asyncProgress.filter((p) => p > 30 && p <= 90).length).toBeGreaterThanOrEqual(1);

        // A re-run from the first one's seats, some locked: the kept-seat path is the same too.
        const previous = first.sync.assignments.map((a, i) => ({ travelerId: a.travelerId, capacityId: a.capacityId, car: a.car, seat: a.seat, locked: i < first.sync.assignments.length * lockShare }));
        const rerun = { ...input, capacities: input.capacities.slice(1), previous };
        const second = await both(rerun);
        expect(checkAllocation(rerun, second.async)).toEqual([]);
        expect(comparable(second.async)).toEqual(comparable(second.sync));
        expectProgress(second.asyncProgress);
        expect(second.asyncProgress).toEqual(second.syncProgress);
      }),
      { numRuns: 8 },
    );
  });

  it("hands the event loop back between steps: only the first step runs before it returns its promise", async () => {
    const travelers = DAYS.flatMap((day, d) => NEAR.slice(0, 4).map((place, k) => ({ id: `x${d}-${k}`, orgId: "org1", destination: place, earliestDate: day, latestDate: day })));
    const input: AllocationInput = {
      origin: suzhou,
      travelers,
      capacities: DAYS.map((day, d) => bus(`d${d}`, { departureDate: day })),
      policy: policy({ routingBudgetMs: 60_000 }),
    };
    const progress: number[] = [];
    let settled = false;
    const pending = allocateAsync({ ...input, onProgress: (p) => progress.push(p) }).then((r) => {
      settled = true;
      return r;
    });
    // The preparation step has run synchronously; nothing after it has.
    expect(progress).toEqual([0, 10]);
    // A macrotask queued now runs before the computation is over.
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(settled).toBe(false);
    const result = await pending;
    // One step per departure day: 30 + 60 × d / 4 for d = 1..4.
    expect(progress).toEqual([0, 10, 30, 45, 60, 75, 90, 91, 92, 96, 100]);
    expect(comparable(result)).toEqual(comparable(allocate(input)));
    expect(result.unassigned).toEqual([]);
  });

  it("reports 0 and 100 even when there is nothing to allocate", async () => {
    const progress: number[] = [];
    const result = await allocateAsync({ origin: suzhou, travelers: [], capacities: [], policy: policy(), onProgress: (p) => progress.push(p) });
    expect(result.assignments).toEqual([]);
    expectProgress(progress);
  });
});
