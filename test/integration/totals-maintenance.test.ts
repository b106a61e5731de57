// The maintained aggregates (totals_counters, totals_vehicle_orgs, kept by triggers) equal a full
// recomputation from the records after any sequence of edits: publish, re-publish, supersede,
// cancel, un-cancel, board, un-board, depart, un-depart, move a departure, move a seat, delete.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Mode } from "../../src/services/totals/definitions.ts";
import { createCityFixture, type CityFixture } from "../helpers/app.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/database.ts";
import { publishRun, seedAssignment, seedCampaign, seedRun, seedTravelers, seedVehicle } from "./totals-seed.ts";

let database: TestDatabase;
let fx: CityFixture;
let campaignId: string;
let travelers: { id: string; orgId: string }[];

beforeAll(async () => {
  database = await createTestDatabase();
  fx = await createCityFixture(database.db);
  campaignId = await seedCampaign(database.db, fx.city.id);
  travelers = [];
  for (const org of [fx.enterpriseA1, fx.enterpriseA2, fx.enterpriseB1, fx.districtB]) {
    for (const id of await seedTravelers(database.db, campaignId, org.id, 4)) travelers.push({ id, orgId: org.id });
  }
});
afterAll(async () => database.drop());

// Departure instants around Asia/Shanghai midnight: 16:30Z is 00:30 the next day in China.
const DEPARTURES = ["2027-01-24T23:30:00+08:00", "2027-01-24T16:30:00Z", "2027-01-26T08:00:00+08:00", "2027-01-27T06:00:00+08:00"];
const MODES: Mode[] = ["BUS", "SPECIAL_TRAIN", "RESERVED_CARRIAGE", "GROUP_TICKET", "BOAT", "FLIGHT"];

type Op =
  | { op: "newRun"; vehicles: { mode: number; dep: number }[]; picks: { traveler: number; vehicle: number; car: number }[] }
  | { op: "publish" | "supersede" | "deleteRun" | "bulkCancel" | "bulkDepart"; run: number }
  | { op: "cancel" | "uncancel" | "board" | "unboard" | "deleteAssignment"; a: number }
  | { op: "depart" | "undepart" | "deleteVehicle"; v: number }
  | { op: "moveDeparture"; v: number; dep: number }
  | { op: "moveSeat"; a: number; v: number };

const newRunArb = fc.record({
  op: fc.constant("newRun" as const),
  vehicles: fc.array(fc.record({ mode: fc.nat(5), dep: fc.nat(3) }), { minLength: 1, maxLength: 4 }),
  picks: fc.array(fc.record({ traveler: fc.nat(99), vehicle: fc.nat(9), car: fc.nat(2) }), { minLength: 4, maxLength: 16 }),
});
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 2, arbitrary: newRunArb },
  { weight: 3, arbitrary: fc.record({ op: fc.constantFrom("publish" as const, "supersede" as const, "deleteRun" as const, "bulkCancel" as const, "bulkDepart" as const), run: fc.nat(20) }) },
  { weight: 6, arbitrary: fc.record({ op: fc.constantFrom("cancel" as const, "uncancel" as const, "board" as const, "unboard" as const, "deleteAssignment" as const), a: fc.nat(200) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constantFrom("depart" as const, "undepart" as const, "deleteVehicle" as const), v: fc.nat(50) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("moveDeparture" as const), v: fc.nat(50), dep: fc.nat(3) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("moveSeat" as const), a: fc.nat(200), v: fc.nat(50) }) },
);

let seq = 0;
let seatSerial = 0;

async function ids(sql: string, ...params: unknown[]): Promise<string[]> {
  return (await database.db.$queryRawUnsafe<{ id: string }[]>(sql, ...params)).map((r) => r.id);
}

async function apply(op: Op): Promise<void> {
  const db = database.db;
  const runs = await ids(`SELECT id::text FROM allocation_runs WHERE campaign_id = $1::uuid ORDER BY seq`, campaignId);
  const vehicles = await ids(`SELECT v.id::text FROM vehicles v WHERE v.campaign_id = $1::uuid ORDER BY v.label, v.id`, campaignId);
  const assignments = await ids(`SELECT id::text FROM assignments WHERE campaign_id = $1::uuid ORDER BY seat`, campaignId);
  const pick = <T,>(list: T[], i: number) => (list.length ? list[i % list.length] : undefined);
  switch (op.op) {
    case "newRun": {
      const runId = await seedRun(db, campaignId, ++seq);
      const vs: { id: string; mode: Mode }[] = [];
      for (const v of op.vehicles) {
        const mode = MODES[v.mode]!;
        vs.push({ id: await seedVehicle(db, runId, campaignId, mode, DEPARTURES[v.dep]!, `${mode}-${seq}-${vs.length}`), mode });
      }
      const seen = new Set<string>();
      for (const p of op.picks) {
        const t = travelers[p.traveler % travelers.length]!;
        if (seen.has(t.id)) continue; // one seat per traveller per run
        seen.add(t.id);
        const v = vs[p.vehicle % vs.length]!;
        await seedAssignment(db, { runId, vehicleId: v.id, travelerId: t.id, campaignId, orgId: t.orgId, seat: String(++seatSerial).padStart(5, "0"), car: v.mode === "RESERVED_CARRIAGE" || v.mode === "SPECIAL_TRAIN" ? `0${p.car + 1}` : "" });
      }
      return;
    }
    case "publish": {
      // Large indices publish the newest run (the usual case), small ones an older one.
      const run = op.run >= runs.length ? runs.at(-1) : runs[op.run];
      if (run) await publishRun(db, campaignId, run);
      return;
    }
    case "supersede":
      await db.$executeRawUnsafe(`UPDATE allocation_runs SET status = 'SUPERSEDED' WHERE campaign_id = $1::uuid AND status = 'PUBLISHED'`, campaignId);
      return;
    case "deleteRun": {
      const run = pick(runs, op.run);
      if (run) await db.$executeRawUnsafe(`DELETE FROM allocation_runs WHERE id = $1::uuid`, run);
      return;
    }
    case "bulkCancel": {
      const run = pick(runs, op.run);
      if (run) await db.$executeRawUnsafe(`UPDATE assignments SET status = 'CANCELLED', cancelled_at = now() WHERE run_id = $1::uuid`, run);
      return;
    }
    case "bulkDepart": {
      const run = pick(runs, op.run);
      if (run) await db.$executeRawUnsafe(`UPDATE vehicles SET departed_at = now() WHERE run_id = $1::uuid`, run);
      return;
    }
    case "cancel":
    case "uncancel":
    case "board":
    case "unboard":
    case "deleteAssignment": {
      const a = pick(assignments, op.a);
      if (!a) return;
      const sql = {
        cancel: `UPDATE assignments SET status = 'CANCELLED', cancelled_at = now() WHERE id = $1::uuid`,
        uncancel: `UPDATE assignments SET status = 'ASSIGNED', cancelled_at = NULL WHERE id = $1::uuid`,
        board: `UPDATE assignments SET boarded_at = now() WHERE id = $1::uuid`,
        unboard: `UPDATE assignments SET boarded_at = NULL WHERE id = $1::uuid`,
        deleteAssignment: `DELETE FROM assignments WHERE id = $1::uuid`,
      }[op.op];
      await db.$executeRawUnsafe(sql, a);
      return;
    }
    case "depart":
    case "undepart":
    case "deleteVehicle": {
      const v = pick(vehicles, op.v);
      if (!v) return;
      const sql = {
        depart: `UPDATE vehicles SET departed_at = now() WHERE id = $1::uuid`,
        undepart: `UPDATE vehicles SET departed_at = NULL WHERE id = $1::uuid`,
        deleteVehicle: `DELETE FROM vehicles WHERE id = $1::uuid`,
      }[op.op];
      await db.$executeRawUnsafe(sql, v);
      return;
    }
    case "moveDeparture": {
      const v = pick(vehicles, op.v);
      if (v) await db.$executeRawUnsafe(`UPDATE vehicles SET departure_at = $2::timestamptz WHERE id = $1::uuid`, v, DEPARTURES[op.dep]!);
      return;
    }
    case "moveSeat": {
      // Another vehicle of the same run (allocation edits a published list in place).
      const a = pick(assignments, op.a);
      if (!a) return;
      const same = await ids(
        `SELECT v.id::text FROM vehicles v JOIN assignments a ON a.run_id = v.run_id WHERE a.id = $1::uuid ORDER BY v.label, v.id`,
        a,
      );
      const v = pick(same, op.v);
      if (v) await db.$executeRawUnsafe(`UPDATE assignments SET vehicle_id = $2::uuid WHERE id = $1::uuid`, a, v);
      return;
    }
  }
}

/** The aggregates recomputed from scratch, in TypeScript, from the raw records. */
async function recompute() {
  const db = database.db;
  const orgs = await db.$queryRawUnsafe<{ id: string; path: string }[]>(`SELECT id::text, path FROM organisations`);
  const pathOf = new Map(orgs.map((o) => [o.id, o.path]));
  const rows = await db.$queryRawUnsafe<{ vehicle_id: string; car: string; org_id: string; mode: string; departure_at: Date; departed: boolean; boarded: boolean }[]>(
    `SELECT a.vehicle_id::text, a.car, a.org_id::text, v.mode::text, v.departure_at, v.departed_at IS NOT NULL AS departed, a.boarded_at IS NOT NULL AS boarded
       FROM assignments a JOIN vehicles v ON v.id = a.vehicle_id JOIN allocation_runs r ON r.id = a.run_id
      WHERE r.status = 'PUBLISHED' AND a.status = 'ASSIGNED' AND a.campaign_id = $1::uuid`,
    campaignId,
  );
  const occupancy = new Map<string, [number, number, number]>();
  for (const r of rows) {
    const day = new Date(r.departure_at.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
    const car = r.mode === "RESERVED_CARRIAGE" ? r.car : "";
    for (const anc of pathOf.get(r.org_id)!.split("/").filter(Boolean)) {
      const key = [r.vehicle_id, car, anc, r.mode, day].join("|");
      const o = occupancy.get(key) ?? [0, 0, 0];
      o[0] += 1;
      o[1] += r.departed ? 1 : 0;
      o[2] += r.boarded ? 1 : 0;
      occupancy.set(key, o);
    }
  }
  const counters = new Map<string, number[]>();
  for (const [key, [a, d, b]] of occupancy) {
    const [, , org, mode, day] = key.split("|");
    const ckey = [org, mode, day].join("|");
    const c = counters.get(ckey) ?? [0, 0, 0, 0, 0, 0];
    c[0]! += a; c[1]! += d; c[2]! += b;
    c[3]! += a > 0 ? 1 : 0; c[4]! += d > 0 ? 1 : 0; c[5]! += b > 0 ? 1 : 0;
    counters.set(ckey, c);
  }
  return {
    occupancy: [...occupancy.entries()].map(([k, v]) => `${k}=${v.join(",")}`).sort(),
    counters: [...counters.entries()].map(([k, v]) => `${k}=${v.join(",")}`).sort(),
  };
}

async function maintained() {
  const db = database.db;
  const occ = await db.$queryRawUnsafe<{ line: string }[]>(
    `SELECT concat_ws('|', vehicle_id, car, org_id, mode, to_char(day, 'YYYY-MM-DD')) || '=' || concat_ws(',', allocated_persons, departed_persons, boarded_persons) AS line
       FROM totals_vehicle_orgs WHERE campaign_id = $1::uuid AND (allocated_persons, departed_persons, boarded_persons) <> (0, 0, 0)`,
    campaignId,
  );
  const cnt = await db.$queryRawUnsafe<{ line: string }[]>(
    `SELECT concat_ws('|', org_id, mode, to_char(day, 'YYYY-MM-DD')) || '=' ||
            concat_ws(',', allocated_persons, departed_persons, boarded_persons, allocated_vehicles, departed_vehicles, boarded_vehicles) AS line
       FROM totals_counters WHERE campaign_id = $1::uuid
        AND (allocated_persons, departed_persons, boarded_persons, allocated_vehicles, departed_vehicles, boarded_vehicles) <> (0, 0, 0, 0, 0, 0)`,
    campaignId,
  );
  const negative = await db.$queryRawUnsafe<{ n: number }[]>(
    `SELECT (SELECT count(*) FROM totals_counters WHERE LEAST(allocated_persons, departed_persons, boarded_persons, allocated_vehicles, departed_vehicles, boarded_vehicles) < 0)::int
          + (SELECT count(*) FROM totals_vehicle_orgs WHERE LEAST(allocated_persons, departed_persons, boarded_persons) < 0)::int AS n`,
  );
  return { occupancy: occ.map((r) => r.line).sort(), counters: cnt.map((r) => r.line).sort(), negative: negative[0]!.n };
}

describe("maintained totals", () => {
  it("equal a full recomputation after any sequence of edits", async () => {
    await fc.assert(
      // Every sequence starts from a published allocation, then edits it at random.
      fc.asyncProperty(newRunArb, fc.array(opArb, { minLength: 1, maxLength: 30 }), async (first, ops) => {
        await apply(first);
        await apply({ op: "publish", run: 1_000_000 });
        for (const op of ops) await apply(op);
        const got = await maintained();
        const want = await recompute();
        expect(got.negative).toBe(0);
        expect(got.counters).toEqual(want.counters);
        expect(got.occupancy).toEqual(want.occupancy);
        // Tear down through the triggers too: deleting every run brings every counter back to zero.
        await database.db.$executeRawUnsafe(`DELETE FROM allocation_runs WHERE campaign_id = $1::uuid`, campaignId);
        const after = await maintained();
        expect(after.counters).toEqual([]);
        expect(after.occupancy).toEqual([]);
      }),
      { numRuns: 60 },
    );
  });

  it("a re-published list never counts a person-trip twice, and a cancelled seat leaves the count", async () => {
    const db = database.db;
    const t = travelers.filter((x) => x.orgId === fx.enterpriseA1.id);
    const run1 = await seedRun(db, campaignId, ++seq);
    const bus1 = await seedVehicle(db, run1, campaignId, "BUS", "2027-01-25T08:00:00+08:00", "苏E-00001");
    for (const [i, x] of t.entries()) await seedAssignment(db, { runId: run1, vehicleId: bus1, travelerId: x.id, campaignId, orgId: x.orgId, seat: `${i + 1}` });
    await publishRun(db, campaignId, run1);
    // The next run carries the same people (one list edit later) and is published over the first.
    const run2 = await seedRun(db, campaignId, ++seq);
    const bus2 = await seedVehicle(db, run2, campaignId, "BUS", "2027-01-25T08:00:00+08:00", "苏E-00001");
    for (const [i, x] of t.entries()) await seedAssignment(db, { runId: run2, vehicleId: bus2, travelerId: x.id, campaignId, orgId: x.orgId, seat: `${i + 1}` });
    await publishRun(db, campaignId, run2);
    const city = async () =>
      (await db.$queryRawUnsafe<{ p: number; v: number }[]>(
        `SELECT sum(allocated_persons)::int AS p, sum(allocated_vehicles)::int AS v FROM totals_counters WHERE campaign_id = $1::uuid AND org_id = $2::uuid`,
        campaignId,
        fx.city.id,
      ))[0]!;
    expect(await city()).toEqual({ p: t.length, v: 1 });
    await db.$executeRawUnsafe(`UPDATE assignments SET status = 'CANCELLED' WHERE run_id = $1::uuid AND traveler_id = $2::uuid`, run2, t[0]!.id);
    expect(await city()).toEqual({ p: t.length - 1, v: 1 });
    await db.$executeRawUnsafe(`DELETE FROM allocation_runs WHERE campaign_id = $1::uuid`, campaignId);
    expect(await city()).toEqual({ p: 0, v: 0 });
  });
});
